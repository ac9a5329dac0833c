import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { type DatabaseOptions, postgresOptions } from './typeorm-options';

type ColumnMetadata = DataSource['entityMetadatas'][number]['columns'][number];

interface DbColumn {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

/** The column type as Postgres's `format_type` writes it (`character(64)`, `text[]`, `numeric(10,2)`). */
function entityColumnType(dataSource: DataSource, column: ColumnMetadata): string {
  let type = dataSource.driver.normalizeType(column);
  if (column.length) type += `(${column.length})`;
  else if (column.precision != null) type += column.scale != null ? `(${column.precision},${column.scale})` : `(${column.precision})`;
  return column.isArray ? `${type}[]` : type;
}

/**
 * Where the TypeORM entities and the schema their migrations make disagree: runs `migrations` into
 * a scratch database on the server of `url` (created, then dropped), and compares every entity's
 * table, column by column (type and nullability), both ways. An empty list: one truth.
 */
export async function schemaDrift(options: Pick<DatabaseOptions, 'url' | 'entities' | 'migrations'>): Promise<string[]> {
  const scratch = `wt_schema_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const scratchUrl = new URL(options.url);
  scratchUrl.pathname = `/${scratch}`;
  const admin = new DataSource(
    postgresOptions({ ...options, entities: [], migrations: [], runMigrations: false, applicationName: 'schema-drift' }),
  );
  await admin.initialize();
  await admin.query(`CREATE DATABASE ${scratch}`);
  const dataSource = new DataSource(
    postgresOptions({ ...options, url: scratchUrl.toString(), runMigrations: false, applicationName: 'schema-drift' }),
  );
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const rows: DbColumn[] = await dataSource.query(
      `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
    );
    const drift: string[] = [];
    for (const entity of dataSource.entityMetadatas) {
      const table = entity.tableName;
      const columns = new Map(rows.filter((r) => r.table === table).map((r) => [r.column, r]));
      if (columns.size === 0) {
        drift.push(`${entity.name}: table ${table} is not made by the migrations`);
        continue;
      }
      for (const column of entity.columns) {
        const db = columns.get(column.databaseName);
        columns.delete(column.databaseName);
        if (!db) {
          drift.push(`${entity.name}.${column.propertyName}: column ${table}.${column.databaseName} is not made by the migrations`);
          continue;
        }
        const type = entityColumnType(dataSource, column);
        if (type !== db.type) drift.push(`${entity.name}.${column.propertyName}: type ${type}, the table has ${db.type}`);
        if (column.isNullable !== db.nullable) {
          drift.push(
            `${entity.name}.${column.propertyName}: ${column.isNullable ? 'nullable' : 'not null'}, the table has it ${db.nullable ? 'nullable' : 'not null'}`,
          );
        }
      }
      for (const db of columns.values()) drift.push(`${entity.name}: column ${table}.${db.column} (${db.type}) is missing from the entity`);
    }
    return drift;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.destroy();
  }
}
