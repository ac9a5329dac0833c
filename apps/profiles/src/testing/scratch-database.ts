import { Client } from 'pg';

/** Drops a database a test created for itself on the test server, closing its connections first. */
export async function dropScratchDatabase(adminUrl: URL, database: string): Promise<void> {
  const root = new Client({ connectionString: adminUrl.toString() });
  await root.connect();
  try {
    await root.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await root.end();
  }
}
