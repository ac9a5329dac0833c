import { DataSource } from 'typeorm';
import { DISPATCHER_ENTITIES, DISPATCHER_MIGRATIONS } from '../app.module';
import { freshDatabase } from './dispatcher-children';

/** A fresh database `name` with the dispatcher's migrations run, in-process: for specs of one statement or one class. */
export async function migratedDatabase(name: string): Promise<{ source: DataSource; drop: () => Promise<void> }> {
  const db = await freshDatabase(name);
  const source = await new DataSource({
    type: 'postgres',
    url: db.url,
    entities: DISPATCHER_ENTITIES,
    migrations: DISPATCHER_MIGRATIONS,
  }).initialize();
  await source.runMigrations();
  return {
    source,
    drop: async () => {
      await source.destroy();
      await db.drop();
    },
  };
}
