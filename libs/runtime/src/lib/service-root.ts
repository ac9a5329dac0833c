import { type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type ClassConstructor } from 'class-transformer';
import { ConfigModule, DatabaseEnv, loadConfig, type ServiceEnv } from '@wt/config';
import { type DatabaseOptions, postgresOptions } from '@wt/database';
import { kafkaConnectionOf, KafkaModule } from '@wt/kafka';
import { type RunServiceOptions } from './run-service';
import { ObservabilityModule } from '@wt/observability';
import { DataSource } from 'typeorm';

/** What a service's database holds: its TypeORM entities (none for the services that query in SQL only) and its migrations. */
export interface ServiceSchema {
  entities?: DatabaseOptions['entities'];
  migrations: DatabaseOptions['migrations'];
  /** The service's connections pipeline their queries (`DatabaseOptions.pipeline`). */
  pipeline?: boolean;
}

/**
 * The modules every service's root module starts with: its validated configuration, health, metrics
 * and logs, Kafka (client id: the service's name), and Postgres with its migrations (run at boot
 * unless DB_MIGRATIONS_RUN=false). The app adds what is its own (vault, rate limits) and its domain modules.
 */
export function serviceRootModules<T extends DatabaseEnv>(
  service: string,
  schema: ClassConstructor<T>,
  config: T,
  database: ServiceSchema,
): DynamicModule[] {
  return [
    ConfigModule.forValue(schema, config),
    ObservabilityModule.forRoot({ service, logLevel: config.LOG_LEVEL }),
    KafkaModule.forRoot(kafkaConnectionOf(config, service)),
    TypeOrmModule.forRoot(
      postgresOptions({
        url: config.DATABASE_URL,
        entities: database.entities ?? [],
        migrations: database.migrations,
        runMigrations: config.DB_MIGRATIONS_RUN === 'true',
        applicationName: service,
        pipeline: database.pipeline,
      }),
    ),
  ];
}

/**
 * The database of a service's command line (`<service>-cli` in pg_stat_activity), from the database's
 * variables only: an operator needs no other secret to run a command. Migrations are not run.
 */
export function commandDataSource(service: string, database: ServiceSchema): DataSource {
  return new DataSource(
    postgresOptions({
      url: loadConfig(DatabaseEnv).DATABASE_URL,
      entities: database.entities ?? [],
      migrations: database.migrations,
      runMigrations: false,
      applicationName: `${service}-cli`,
    }),
  );
}

/**
 * A service's consumer as every service runs it: the Kafka connection of its configuration (client id:
 * its name) and the group `<KAFKA_GROUP_PREFIX>.<service>`; `options` adds its concurrency and the like.
 */
export function serviceConsumer(
  config: ServiceEnv,
  service: string,
  options: Omit<NonNullable<RunServiceOptions['consumer']>, 'connection' | 'groupId'> = {},
): NonNullable<RunServiceOptions['consumer']> {
  return { connection: kafkaConnectionOf(config, service), groupId: `${config.KAFKA_GROUP_PREFIX}.${service}`, ...options };
}
