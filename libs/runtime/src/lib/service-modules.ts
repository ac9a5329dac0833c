import { type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule, type DatabaseEnv } from '@wt/config';
import { type DatabaseOptions, postgresOptions } from '@wt/database';
import { kafkaConnectionOf, KafkaModule } from '@wt/kafka';
import { ObservabilityModule } from '@wt/observability';
import { type ClassConstructor } from 'class-transformer';

/**
 * The modules a service on Kafka and Postgres imports before its own: its configuration (the class,
 * as `main.ts` loaded it), logs, metrics and traces, the Kafka producer (the consumer is
 * runService's), and its database with its entities and migrations (run at boot when
 * DB_MIGRATIONS_RUN is true). `service` names the Kafka client, the logs and the Postgres connections.
 */
export function serviceRootModules<C extends DatabaseEnv>(
  service: string,
  schema: ClassConstructor<C>,
  config: C,
  database: Pick<DatabaseOptions, 'entities' | 'migrations'>,
): DynamicModule[] {
  return [
    ConfigModule.forValue(schema, config),
    ObservabilityModule.forRoot({ service, logLevel: config.LOG_LEVEL }),
    KafkaModule.forRoot(kafkaConnectionOf(config, service)),
    TypeOrmModule.forRoot(
      postgresOptions({
        url: config.DATABASE_URL,
        entities: database.entities,
        migrations: database.migrations,
        runMigrations: config.DB_MIGRATIONS_RUN === 'true',
        applicationName: service,
      }),
    ),
  ];
}
