#!/usr/bin/env node
// Ingest's normalizing path before and after per-person keys (crypto-shredding), side by side in
// one process: the same events, in batches as the consumer gets them, through the EventNormalizer
// of a baseline build (one platform key, sealed per event, no I/O) and of this checkout (keys of
// the batch's persons from the key vault in one round trip, then cached). Passes alternate; the
// machine is shared, so ratios matter, not absolutes. Needs the test stack's Postgres (slot aware).
//
//   git archive <baseline> | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/ && (cd /tmp/base && npx nx run ingest:build)
//   npx nx run-many -t build -p ingest cli && node tools/stack/bench-sealing.mjs /tmp/base [events] [batch]
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './bootstrap.mjs';

const require = createRequire(import.meta.url);
const [baseline, eventsArg, batchArg] = process.argv.slice(2);
if (!baseline) {
  console.error('usage: node tools/stack/bench-sealing.mjs <baseline checkout with dist/apps/ingest built> [events=60000] [batch=500]');
  process.exit(2);
}
const EVENTS = Number(eventsArg ?? 60_000);
const BATCH = Number(batchArg ?? 500);
const { applySlot } = await import('./stack.mjs');
await applySlot('test');
const { profileSettings } = await import('./services.mjs');
const { ensurePostgres } = await import('./postgres.mjs');
const dbName = `${profileSettings('test').dbPrefix}bench_vault_${Date.now().toString(36)}`;
const urls = await ensurePostgres({ databases: [dbName] });

const dist = (/** @type {string} */ p) => require(path.join(ROOT, 'dist', p));
const { generatePopulation } = dist('tools/cli/src/demo/population.js');
const { Pseudonymizer, ContactSealer } = dist('libs/identity/src/index.js');
const { vaultDataSource, keyVaultOf, migrateVault } = dist('libs/vault/src/index.js');
const After = dist('apps/ingest/src/normalization/event-normalizer.js').EventNormalizer;
const Before = require(path.join(path.resolve(baseline), 'dist/apps/ingest/src/normalization/event-normalizer.js')).EventNormalizer;
const BeforeSealer = require(path.join(path.resolve(baseline), 'dist/libs/identity/src/index.js')).ContactSealer;

const config = {
  VAULT_DATABASE_URL: urls[dbName],
  VAULT_KEK: randomBytes(32).toString('base64'),
  VAULT_KEK_PREVIOUS: [],
  VAULT_CACHE_TTL_MS: 30_000,
  VAULT_CACHE_MAX: 100_000,
  VAULT_MIGRATIONS_RUN: 'true',
};
const ds = vaultDataSource(config, 'bench-sealing');
await ds.initialize();
await migrateVault(ds);
const vault = keyVaultOf(ds, config);
const policy = { maxAgeMs: 30 * 86_400_000, maxFutureSkewMs: 300_000, defaultRegion: 'FR' };
const pseudonymizer = new Pseudonymizer(randomBytes(32).toString('hex'));
const population = generatePopulation({ people: Math.ceil(EVENTS / 6.5), seed: 7, runId: 'seal', now: new Date() });
const events = population.events.slice(0, EVENTS);

/** @typedef {(batch: unknown[], now: Date) => Promise<number>} NormalizeBatch resolves with the events accepted */

/**
 * @param {string} label
 * @param {NormalizeBatch} normalize
 */
async function pass(label, normalize) {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let ok = 0;
  for (let i = 0; i < events.length; i += BATCH) ok += await normalize(events.slice(i, i + BATCH), new Date());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const row = {
    label,
    events: ok,
    perSecond: Math.round(ok / seconds),
    cpuMsPer1000: Number(((used.user + used.system) / 1000 / (ok / 1000)).toFixed(1)),
  };
  console.log(JSON.stringify(row));
  return row;
}

const before = new Before(pseudonymizer, new BeforeSealer(randomBytes(32).toString('base64')), policy);
/** @type {NormalizeBatch} */
const beforeBatch = async (batch, now) =>
  batch.map((e) => before.engagement(e, now)).filter((/** @type {{ok: boolean}} */ r) => r.ok).length;
/** @type {(normalizer: {engagements: (batch: unknown[], now: Date) => Promise<{ok: boolean}[]>}) => NormalizeBatch} */
const afterBatch = (normalizer) => async (batch, now) => (await normalizer.engagements(batch, now)).filter((r) => r.ok).length;
const fresh = () => new After(pseudonymizer, new ContactSealer(vault, { cacheTtlMs: 30_000 }), policy);

/** @type {Awaited<ReturnType<typeof pass>>[]} */
const rows = [];
rows.push(await pass('before-1', beforeBatch));
rows.push(await pass('after-1: keys created (cold vault, cold cache)', afterBatch(fresh())));
rows.push(await pass('before-2', beforeBatch));
rows.push(await pass('after-2: keys exist (warm vault, cold cache)', afterBatch(fresh())));
rows.push(await pass('before-3', beforeBatch));
const sameProcess = fresh();
for (let i = 0; i < events.length; i += BATCH) await afterBatch(sameProcess)(events.slice(i, i + BATCH), new Date());
rows.push(await pass('after-3: keys cached (warm cache)', afterBatch(sameProcess)));
const mean = (/** @type {string} */ p) => rows.filter((r) => r.label.startsWith(p)).map((r) => r.perSecond);
console.log(
  JSON.stringify({ events: EVENTS, people: Math.ceil(EVENTS / 6.5), batch: BATCH, before: mean('before'), after: mean('after') }),
);
await ds.destroy();
const pg = await import('pg');
const admin = new pg.default.Client({ connectionString: urls[dbName].replace(/\/[^/]+$/, '/postgres') });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
await admin.end();
