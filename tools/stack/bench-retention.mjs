#!/usr/bin/env node
// `npm run bench:retention`: the dispatch ledger's retention purge, measured on the machine's Postgres.
// A scratch database gets the dispatcher's migrations, ROWS finished rows past retention and as many
// recent or unfinished ones; the service's own RetentionJob (dist build) purges them; printed: rows/s
// purged, the table's size and live rows before, after the purge, and after VACUUM (a DELETE frees
// space for reuse by later rows; only VACUUM FULL or dropping a partition gives it back to the disk).
//   ROWS=200000 BATCH=5000 node tools/stack/bench-retention.mjs
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildAll, ROOT } from './bootstrap.mjs';

const ROWS = Number(process.env.ROWS ?? 200_000);
const BATCH = Number(process.env.BATCH ?? 5_000);
const require = createRequire(import.meta.url);

buildAll();
const { ensurePostgres } = await import('./postgres.mjs');
const database = `wt_bench_retention_${process.pid}`;
const urls = await ensurePostgres({ databases: [database], log: () => {} });
const url = urls[database];
const { DataSource } = require('typeorm');
const { postgresOptions, RetentionJob } = require(path.join(ROOT, 'dist/libs/database/src/index.js'));
const { DISPATCHER_ENTITIES, DISPATCHER_MIGRATIONS } = require(path.join(ROOT, 'dist/apps/dispatcher/src/app.module.js'));
const { ledgerRetentionRules } = require(path.join(ROOT, 'dist/apps/dispatcher/src/dispatch/ledger-retention.js'));

const ds = new DataSource(
  postgresOptions({
    url,
    entities: DISPATCHER_ENTITIES,
    migrations: DISPATCHER_MIGRATIONS,
    runMigrations: true,
    applicationName: 'bench-retention',
  }),
);
await ds.initialize();
const size = async () => {
  const [row] = await ds.query(`SELECT pg_total_relation_size('dispatch')::bigint AS bytes, (SELECT count(*) FROM dispatch)::int AS rows`);
  return { mb: Math.round(Number(row.bytes) / 1e5) / 10, rows: row.rows };
};
try {
  const message = JSON.stringify({
    to: 'v2.sealed-contact-placeholder-of-typical-length-aaaaaaaaaaaaaaaaaaaaaaaa',
    template: { name: 'spring', language: 'en_US' },
  });
  await ds.query(
    `INSERT INTO dispatch (decision_id, person_id, business_id, campaign_id, phone_number_id, state, message, wamid, statuses, created_at, updated_at)
     SELECT 'd-' || n, md5(n::text) || md5((n + 1)::text), 'business', 'campaign', '1234567890',
            CASE WHEN n % 2 = 0 THEN 'accepted' WHEN n % 10 = 1 THEN 'pending' ELSE 'expired' END,
            $2::jsonb, CASE WHEN n % 2 = 0 THEN 'wamid.' || n END, '{sent,delivered}',
            now() - make_interval(days => CASE WHEN n <= $1 THEN 60 ELSE 1 END),
            now() - make_interval(days => CASE WHEN n <= $1 THEN 60 ELSE 1 END)
       FROM generate_series(1, $1 * 2) AS n`,
    [ROWS, message],
  );
  await ds.query('ANALYZE dispatch');
  const before = await size();
  const job = new RetentionJob(ds, ledgerRetentionRules(35), { intervalSeconds: 0, batchSize: BATCH, service: 'bench' });
  const { dispatch } = await job.runOnce();
  const after = await size();
  await ds.query('VACUUM dispatch');
  const vacuumed = await size();
  console.log(
    JSON.stringify({
      bench: 'retention',
      table: 'dispatch',
      batchSize: BATCH,
      purgedRows: dispatch.rows,
      batches: dispatch.batches,
      seconds: Math.round(dispatch.seconds * 100) / 100,
      rowsPerSecond: Math.round(dispatch.rows / dispatch.seconds),
      before,
      afterPurge: after,
      afterVacuum: vacuumed,
    }),
  );
} finally {
  await ds.destroy();
  const { Client } = require('pg');
  const admin = new Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}
