import { DatabaseEnv, loadConfig } from '@wt/config';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

export interface DatabaseOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  runMigrations: boolean;
  /** Name shown in pg_stat_activity. */
  applicationName: string;
  poolSize?: number;
}

/**
 * TypeORM options every service uses: the schema comes from migrations only (never
 * `synchronize`), each in its own transaction, recorded in the `migrations` table.
 */
export function postgresOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsRun: options.runMigrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'migration'],
    applicationName: options.applicationName,
    extra: { max: options.poolSize ?? 10 },
  };
}

/**
 * A data source on a service's database for an operator's command (`<service> api-key ...`): only
 * DATABASE_URL is read, so the operator needs no pseudonym secret or vault key; no migration runs.
 */
export function operatorDataSource(service: string, schema: Pick<DatabaseOptions, 'entities' | 'migrations'>): DataSource {
  return new DataSource(
    postgresOptions({
      url: loadConfig(DatabaseEnv).DATABASE_URL,
      ...schema,
      runMigrations: false,
      applicationName: `${service}-cli`,
    }),
  );
}
