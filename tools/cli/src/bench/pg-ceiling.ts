import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Profile-shaped rows per second through a raw `pg` multi-row upsert
 * (`INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE`): the database's ceiling for the
 * profiles stage, with the same columns, types and batch size.
 */
export async function pgUpsertCeiling(
  databaseUrl: string,
  rows: number,
  batchSize: number,
): Promise<{ rowsPerSecond: number; seconds: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS bench_profile_ceiling`);
    await client.query(`CREATE TABLE bench_profile_ceiling (LIKE person_profile INCLUDING ALL)`);
    const ids = Array.from({ length: Math.ceil(rows / 2) }, () => randomBytes(32).toString('hex'));
    const interests = JSON.stringify({ 'running-shoes': 4.5, fitness: 2.25 });
    const counts = JSON.stringify({ facebook: 3, instagram: 2 });
    const started = process.hrtime.bigint();
    let written = 0;
    // Two passes over half as many people: inserts, then updates, as a stream of engagement does.
    for (let pass = 0; pass < 2; pass += 1) {
      for (let i = 0; i < ids.length; i += batchSize) {
        const chunk = ids.slice(i, i + batchSize);
        const now = new Date().toISOString();
        await client.query(
          `INSERT INTO bench_profile_ceiling (person_id, contact, country, time_zone, interests, interests_at, total_events,
                                              events_by_source, events_by_business, last_seen_at, version, updated_at)
           SELECT p.*, now() FROM unnest($1::char(64)[], $2::text[], $3::char(2)[], $4::text[], $5::jsonb[], $6::timestamptz[],
                                         $7::int[], $8::jsonb[], $9::jsonb[], $10::timestamptz[], $11::bigint[]) AS p
           ON CONFLICT (person_id) DO UPDATE SET
             contact = EXCLUDED.contact, country = EXCLUDED.country, time_zone = EXCLUDED.time_zone,
             interests = EXCLUDED.interests, interests_at = EXCLUDED.interests_at, total_events = EXCLUDED.total_events,
             events_by_source = EXCLUDED.events_by_source, events_by_business = EXCLUDED.events_by_business,
             last_seen_at = EXCLUDED.last_seen_at, version = EXCLUDED.version, updated_at = now()`,
          [
            chunk,
            chunk.map(() => 'v1.aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbb.cccccccccccccccccc'),
            chunk.map(() => 'FR'),
            chunk.map(() => 'Europe/Paris'),
            chunk.map(() => interests),
            chunk.map(() => now),
            chunk.map(() => pass + 1),
            chunk.map(() => counts),
            chunk.map(() => '{}'),
            chunk.map(() => now),
            chunk.map(() => pass + 1),
          ],
        );
        written += chunk.length;
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await client.query(`DROP TABLE bench_profile_ceiling`);
    return { rowsPerSecond: written / seconds, seconds };
  } finally {
    await client.end();
  }
}
