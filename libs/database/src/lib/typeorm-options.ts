import { type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

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
  /**
   * pg's pipeline mode (`pipeline` of its client config): a connection sends each query without waiting
   * for the previous one's answer, so statements issued together cost one round trip. Off by default.
   */
  pipeline?: boolean;
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
    extra: { max: options.poolSize ?? 10, ...(options.pipeline ? { pipeline: true } : {}) },
  };
}
