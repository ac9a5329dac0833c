import { type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule, type DatabaseEnv } from '@wt/config';
import { type DatabaseOptions, postgresOptions } from '@wt/database';
import { kafkaConnectionOf, type KafkaEnv, KafkaModule } from '@wt/kafka';
import { ObservabilityModule } from '@wt/observability';

/** A Kafka service's configuration with its own database. */
export type ServiceWithDatabaseEnv = DatabaseEnv & KafkaEnv;

/** What `serviceFoundation` needs to know of the service. */
export interface FoundationOptions<T extends ServiceWithDatabaseEnv> {
  /** The service's name: its logs' and metrics' `service`, its Kafka client id, its database application name. */
  service: string;
  /** Its configuration class, and the configuration `main` loaded with it (provided globally). */
  schema: new () => T;
  config: T;
  entities?: DatabaseOptions['entities'];
  migrations: DatabaseOptions['migrations'];
}

/**
 * The root modules every Kafka service with a database stands on, in order: its configuration,
 * logs and metrics, Kafka (the publisher, the batch consumers' failure handling), and TypeORM on
 * its database (migrations run at boot when `DB_MIGRATIONS_RUN` says so). An app's root module
 * imports these, then its own (the key vault, one module per domain folder).
 */
export function serviceFoundation<T extends ServiceWithDatabaseEnv>(options: FoundationOptions<T>): DynamicModule[] {
  const { service, config } = options;
  return [
    ConfigModule.forValue(options.schema, config),
    ObservabilityModule.forRoot({ service, logLevel: config.LOG_LEVEL }),
    KafkaModule.forRoot(kafkaConnectionOf(config, service)),
    TypeOrmModule.forRoot(
      postgresOptions({
        url: config.DATABASE_URL,
        entities: options.entities ?? [],
        migrations: options.migrations,
        runMigrations: config.DB_MIGRATIONS_RUN === 'true',
        applicationName: service,
      }),
    ),
  ];
}
