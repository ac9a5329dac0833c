#!/usr/bin/env node
// Cost of the retention day buckets on the profiles hot path, measured side by side in one run:
// the database part of an engagement batch (per-person locks, erased check, dedupe claim, profile
// upsert: what ProfilesConsumer.onEngagement does, Kafka aside), without and with the day-bucket
// upsert, on two scratch databases fed the same batches in alternating order. Then the retention
// purge over the second database (snapshots not published: no broker here). Ratios, not absolutes:
// the machine is shared.
//
//   npx nx run profiles:build && node tools/stack/bench-profile-writes.mjs [events=40000] [people=4000] [batch=500]
//   DATABASE_URL=postgres://user@host:5432/postgres to use another server (default: the local one).
import { createRequire } from 'node:module';
import { randomBytes, randomInt } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
require('reflect-metadata');
const dist = (/** @type {string} */ p) => require(path.join(ROOT, 'dist', p));
const { DataSource } = require('typeorm');
const { Client } = require('pg');
const { postgresOptions } = dist('libs/database/src/index.js');
const { PROFILES_ENTITIES, PROFILES_MIGRATIONS } = dist('apps/profiles/src/app.module.js');
const { ProfileStore } = dist('apps/profiles/src/profile/profile.store.js');
const { applyEngagement } = dist('apps/profiles/src/profile/profile-state.js');
const { InterestDecay } = dist('apps/profiles/src/profile/interest-decay.js');
const { dayBucketsOf } = dist('apps/profiles/src/profile/day-buckets.js');
const { RetentionPurge } = dist('apps/profiles/src/profile/retention-purge.js');

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const EVENTS = Number(args.events ?? 40_000);
const PEOPLE = Number(args.people ?? 4_000);
const BATCH = Number(args.batch ?? 500);
const DAY_MS = 86_400_000;
const TYPES = ['view', 'like', 'comment', 'share', 'follow', 'click', 'save', 'purchase'];
const CATEGORIES = Array.from({ length: 12 }, (_, i) => `category-${i}`);
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const decay = new InterestDecay(24 * 14);

const people = Array.from({ length: PEOPLE }, () => randomBytes(32).toString('hex'));
const now = Date.now();
const events = Array.from({ length: EVENTS }, (_, i) => {
  const at = new Date(now - randomInt(0, 25 * DAY_MS)).toISOString();
  const business = randomInt(4);
  return {
    dedupeKey: `facebook:bench-${i}`,
    personId: people[randomInt(PEOPLE)],
    contact: 'v1.aaaa.bbbb.cccc',
    source: randomInt(2) ? 'facebook' : 'instagram',
    type: TYPES[randomInt(TYPES.length)],
    occurredAt: at,
    categories: [CATEGORIES[randomInt(CATEGORIES.length)], ...(randomInt(3) === 0 ? [CATEGORIES[randomInt(CATEGORIES.length)]] : [])],
    country: 'FR',
    ingestedAt: at,
    ...(business < 3 ? { businessId: `business-${business}` } : {}),
  };
});

/** @param {string} name a new scratch database (dropped first if it exists) */
async function scratch(name) {
  const root = new Client({ connectionString: adminUrl });
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await root.query(`CREATE DATABASE ${name}`);
  await root.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataSource = new DataSource(
    postgresOptions({
      url: url.toString(),
      entities: PROFILES_ENTITIES,
      migrations: PROFILES_MIGRATIONS,
      runMigrations: false,
      applicationName: 'bench-profile-writes',
    }),
  );
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return { name, dataSource, store: new ProfileStore(dataSource), seconds: 0 };
}

/** @param {string} name */
async function drop(name) {
  const root = new Client({ connectionString: adminUrl });
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await root.end();
}

/**
 * The database part of ProfilesConsumer.onEngagement for one batch.
 * @param {Awaited<ReturnType<typeof scratch>>} target
 * @param {typeof events} batch
 * @param {boolean} withDays
 */
async function writeBatch(target, batch, withDays) {
  const started = process.hrtime.bigint();
  await target.store.transaction(async (/** @type {import('typeorm').EntityManager} */ manager) => {
    const ids = batch.map((e) => e.personId);
    const profiles = await target.store.lockProfiles(manager, ids);
    const erased = await target.store.erasedAmong(manager, ids);
    const allowed = batch.filter((e) => !erased.has(e.personId));
    const fresh = await target.store.claimEvents(manager, allowed);
    const applied = allowed.filter((e) => fresh.has(e.dedupeKey));
    const byPerson = new Map();
    for (const e of applied) byPerson.set(e.personId, [...(byPerson.get(e.personId) ?? []), e]);
    const updated = [...byPerson].map(([id, own]) => applyEngagement(profiles.get(id), own, decay));
    await target.store.saveProfiles(manager, updated);
    if (withDays) await target.store.addDayBuckets(manager, dayBucketsOf(applied, decay));
  });
  target.seconds += Number(process.hrtime.bigint() - started) / 1e9;
}

const suffix = `${process.pid}`;
const before = await scratch(`wt_bench_profile_writes_before_${suffix}`);
const after = await scratch(`wt_bench_profile_writes_after_${suffix}`);
try {
  for (let i = 0, n = 0; i < events.length; i += BATCH, n += 1) {
    const batch = events.slice(i, i + BATCH);
    // Alternate which goes first, so neither always gets the warmer cache.
    if (n % 2 === 0) {
      await writeBatch(before, batch, false);
      await writeBatch(after, batch, true);
    } else {
      await writeBatch(after, batch, true);
      await writeBatch(before, batch, false);
    }
  }
  const [{ days }] = await after.dataSource.query(`SELECT count(*)::int AS days FROM person_day_bucket`);
  const beforePerSecond = EVENTS / before.seconds;
  const afterPerSecond = EVENTS / after.seconds;

  // The purge over the same data, 10 days of 25 expired (snapshots built, not sent).
  const publisher = { publish: async () => undefined };
  const purge = new RetentionPurge(
    after.store,
    publisher,
    { INTEREST_HALF_LIFE_HOURS: 24 * 14, RETENTION_DAYS: 15, RETENTION_PURGE_BATCH: 500 },
    after.dataSource,
  );
  const purgeStarted = process.hrtime.bigint();
  const result = await purge.runExclusive(new Date(now));
  const purgeSeconds = Number(process.hrtime.bigint() - purgeStarted) / 1e9;

  const figures = {
    events: EVENTS,
    people: PEOPLE,
    batch: BATCH,
    day_rows: days,
    events_per_s_without_days: Math.round(beforePerSecond),
    events_per_s_with_days: Math.round(afterPerSecond),
    with_over_without: Number((afterPerSecond / beforePerSecond).toFixed(3)),
    purge: { ...result, seconds: Number(purgeSeconds.toFixed(2)), people_per_s: Math.round(result.people / purgeSeconds) },
  };
  console.log(JSON.stringify(figures, null, 2));
} finally {
  await before.dataSource.destroy();
  await after.dataSource.destroy();
  await drop(before.name);
  await drop(after.name);
}
