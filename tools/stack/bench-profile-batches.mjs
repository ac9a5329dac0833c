#!/usr/bin/env node
// Profiles' batch writes (ProfileStore.writeEngagement and writeConsents, Kafka aside) of a baseline
// build against this checkout's, side by side in one process: the same batches (500 distinct people
// each, 3 events per person) fed to every variant in turn, in a new random order for each batch (so
// that no variant always pays for the garbage another left, escapeLiteral's above all), each on its
// own scratch database with the profiles migrations. The machine is shared: ratios matter, not
// absolutes. Variants:
//
//   literals       the baseline's store: values written into the SQL as escaped literals (its
//                  hand-written escaper), several statements per simple query, two round trips;
//   escapeLiteral  the same store, its literals built with pg's escapeLiteral instead;
//   parameters     this checkout's store, as the service runs it: bind parameters, pipelined
//                  connection (two round trips);
//   unpipelined    this checkout's store on a connection without pipelining (a round trip per statement).
//
// It prints each round's engagement latency and client CPU over the literals', then per variant the
// batch latency (median and mean, ms), this process's CPU per batch and the Postgres backend's CPU
// per batch (from /proc, the server being local), then the escaping alone on a batch's profile
// document. Scratch databases on the test stack's server, per WT_STACK_SLOT; BENCH_VARIANTS=parameters
// (comma-separated) runs only those beside literals. Figures: docs/benchmarks.md.
//
//   git archive <baseline> | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/
//   (cd /tmp/base && npx nx run profiles:build) && npx nx run profiles:build
//   node tools/stack/bench-profile-batches.mjs /tmp/base [rounds=6] [people=5000] [batch=500]
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './bootstrap.mjs';

const require = createRequire(import.meta.url);
const [baseline, roundsArg, peopleArg, batchArg] = process.argv.slice(2);
if (!baseline) {
  console.error(
    'usage: node tools/stack/bench-profile-batches.mjs <baseline checkout with dist/apps/profiles built> [rounds=6] [people=5000] [batch=500]',
  );
  process.exit(2);
}
const ROUNDS = Number(roundsArg ?? 6);
const PEOPLE = Number(peopleArg ?? 5_000);
const BATCH = Number(batchArg ?? 500);
const EVENTS_PER_PERSON = 3;
// The shapes of the bench's profile-writes (tools/cli/src/bench/profile-writes.ts): a batch's profile
// document is then about 120,000 characters, as the service's.
const TYPES = ['view', 'like', 'comment', 'click', 'share', 'save'];
const CATEGORIES = ['running-shoes', 'fitness', 'outdoor', 'cooking', 'italian-food', 'wine', 'skincare', 'travel', 'music'];
const HOUR_MS = 3_600_000;

const { applySlot } = await import('./stack.mjs');
await applySlot('test');
const { profileSettings } = await import('./services.mjs');
const { ensurePostgres, dropDatabases } = await import('./postgres.mjs');

require('reflect-metadata');
const { DataSource } = require('typeorm');
const { escapeLiteral } = require('pg');
/** @param {string} p @returns {any} a module of this checkout's build (typed by its own sources, not here) */
const here = (p) => require(path.join(ROOT, 'dist', p));
/** @param {string} p @returns {any} a module of the baseline's build */
const base = (p) => require(path.join(path.resolve(baseline), 'dist', p));
const { postgresOptions } = here('libs/database/src/index.js');
const { PROFILES_ENTITIES, PROFILES_MIGRATIONS } = here('apps/profiles/src/app.module.js');
const { InterestDecay } = here('apps/profiles/src/profile/interest-decay.js');
const NewStore = here('apps/profiles/src/profile/profile.store.js').ProfileStore;

// The baseline's escaper, and a switch that makes its store build the same literals with pg's escapeLiteral:
// its sql-literal module is replaced in the require cache, before its store loads it, by one that
// delegates to either (the compiled exports are read-only getters, so they cannot be reassigned).
const literalPath = require.resolve(path.join(path.resolve(baseline), 'dist/apps/profiles/src/profile/sql-literal.js'));
const twin = require(literalPath);
let viaEscapeLiteral = false;
const switched = new Module(literalPath);
switched.filename = literalPath;
switched.loaded = true;
switched.exports = {
  sqlString: (/** @type {string} */ value) => (viaEscapeLiteral ? escapeLiteral(value) : twin.sqlString(value)),
  sqlJson: (/** @type {unknown} */ value) => (viaEscapeLiteral ? escapeLiteral(JSON.stringify(value)) : twin.sqlJson(value)),
  sqlTextArray: (/** @type {(string | null)[]} */ values) =>
    viaEscapeLiteral
      ? escapeLiteral(`{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`)
      : twin.sqlTextArray(values),
};
require.cache[literalPath] = switched;
const OldStore = base('apps/profiles/src/profile/profile.store.js').ProfileStore;

/** @typedef {'engagement' | 'consent'} BatchKind */
/**
 * A variant and, once its database is open, its connection, store and figures.
 * @typedef {{
 *   name: string, Store: any, pipeline: boolean, escapeLiteral: boolean,
 *   dataSource?: any, store?: any,
 *   batches: Record<BatchKind, number[]>,
 *   cpu: Record<BatchKind, { client: number, server: number }>,
 *   rounds: { latency: number, cpu: number }[],
 * }} Variant
 */
/**
 * @param {string} name
 * @param {any} Store
 * @param {boolean} pipeline
 * @param {boolean} escapeLiteral
 * @returns {Variant}
 */
const variantOf = (name, Store, pipeline, escapeLiteral) => ({
  name,
  Store,
  pipeline,
  escapeLiteral,
  batches: { engagement: [], consent: [] },
  cpu: { engagement: { client: 0, server: 0 }, consent: { client: 0, server: 0 } },
  rounds: [],
});
// BENCH_VARIANTS=literals,parameters runs only those (literals always: the ratios' reference).
const only = process.env['BENCH_VARIANTS']?.split(',');
const VARIANTS = [
  variantOf('literals', OldStore, false, false),
  variantOf('escapeLiteral', OldStore, false, true),
  variantOf('parameters', NewStore, true, false),
  variantOf('unpipelined', NewStore, false, false),
].filter((v) => v.name === 'literals' || !only || only.includes(v.name));

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
/**
 * CPU seconds of a local process so far (user + system), or NaN if its /proc entry cannot be read.
 * @param {number} pid
 */
function processCpu(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return NaN;
  }
}

const stamp = Date.now().toString(36);
const names = VARIANTS.map((v) => `${profileSettings('test').dbPrefix}bench_batches_${v.name.toLowerCase()}_${stamp}`);
const urls = await ensurePostgres({ databases: names });
const decay = new InterestDecay(24 * 14);
for (const [i, variant] of VARIANTS.entries()) {
  const dataSource = new DataSource(
    postgresOptions({
      url: urls[names[i]],
      entities: PROFILES_ENTITIES,
      migrations: PROFILES_MIGRATIONS,
      runMigrations: false,
      applicationName: `bench-profile-batches-${variant.name}`,
      poolSize: 1,
      pipeline: variant.pipeline,
    }),
  );
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  variant.dataSource = dataSource;
  variant.store = new variant.Store(dataSource);
  // One connection per variant (looked up before each batch: the pool may replace it): its backend's
  // CPU is the variant's server-side cost.
}

const people = Array.from({ length: PEOPLE }, () => randomBytes(32).toString('hex'));
const now = Date.now();
let serial = 0;
/** @param {string[]} chunk */
function engagementBatch(chunk) {
  return chunk.flatMap((personId) =>
    Array.from({ length: EVENTS_PER_PERSON }, () => {
      const at = new Date(now - randomInt(0, 72 * HOUR_MS)).toISOString();
      serial += 1;
      return {
        dedupeKey: `facebook:bench-batches-${serial}`,
        personId,
        contact: 'v1.aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbb.cccccccccccccccccc',
        source: randomInt(2) ? 'facebook' : 'instagram',
        type: TYPES[randomInt(TYPES.length)],
        occurredAt: at,
        categories: [CATEGORIES[randomInt(CATEGORIES.length)]],
        country: 'FR',
        ingestedAt: at,
        ...(randomInt(2) ? { businessId: 'acme-sports' } : {}),
      };
    }),
  );
}
/** @param {string[]} chunk */
function consentBatch(chunk) {
  return chunk.map((personId) => {
    serial += 1;
    return {
      personId,
      contact: 'v1.aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbb.cccccccccccccccccc',
      purpose: 'whatsapp_marketing',
      businessId: 'acme-sports',
      status: randomInt(4) === 0 ? 'revoked' : 'granted',
      occurredAt: new Date(now - randomInt(0, 72 * HOUR_MS) + serial).toISOString(),
      source: 'web-form',
      country: 'FR',
      assertedVia: 'http_api',
      assertedBy: 'bench',
    };
  });
}

/**
 * Runs one batch through a variant, adding its latency and CPU to the variant's figures.
 * @param {Variant} variant
 * @param {BatchKind} kind
 * @param {(store: any) => Promise<unknown>} write
 */
async function timed(variant, kind, write) {
  viaEscapeLiteral = variant.escapeLiteral;
  const [{ pid }] = await variant.dataSource.query('SELECT pg_backend_pid() AS pid');
  const server = processCpu(pid);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await write(variant.store);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  variant.batches[kind].push(ms);
  variant.cpu[kind].client += (used.user + used.system) / 1000;
  variant.cpu[kind].server += (processCpu(pid) - server) * 1000;
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

/** @type {unknown} */
let documentSample;
/** The variants in a random order (Fisher-Yates). */
function shuffled() {
  const order = [...VARIANTS];
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

try {
  for (let round = 1; round <= ROUNDS; round += 1) {
    // Each variant's engagement batches this round: summed latency and client CPU.
    const sums = new Map(VARIANTS.map((v) => [v.name, { ms: 0, cpuMs: 0 }]));
    /** @param {string} name */
    const sumOf = (name) => /** @type {{ ms: number, cpuMs: number }} */ (sums.get(name));
    for (let i = 0; i < people.length; i += BATCH) {
      const chunk = people.slice(i, i + BATCH);
      const events = engagementBatch(chunk);
      const consents = consentBatch(chunk);
      for (const variant of shuffled()) {
        const { ms, cpuMs } = await timed(variant, 'engagement', async (store) => {
          const outcome = await store.writeEngagement(events, decay, async () => undefined);
          if (outcome.applied !== events.length) throw new Error(`${variant.name}: ${outcome.applied} of ${events.length} events applied`);
          if (variant.name === 'literals') documentSample = outcome.profiles;
        });
        sumOf(variant.name).ms += ms;
        sumOf(variant.name).cpuMs += cpuMs;
      }
      // Consent batches every other chunk: fewer than engagement ones, as in the service.
      if ((i / BATCH) % 2 === 0)
        for (const variant of shuffled()) await timed(variant, 'consent', (store) => store.writeConsents(consents, async () => undefined));
    }
    const literals = sumOf('literals');
    /** @type {Record<string, string | number>} */
    const line = { round };
    for (const v of VARIANTS) {
      const ratios = { latency: sumOf(v.name).ms / literals.ms, cpu: sumOf(v.name).cpuMs / literals.cpuMs };
      v.rounds.push(ratios);
      line[v.name] = `latency ${ratios.latency.toFixed(3)}, client cpu ${ratios.cpu.toFixed(3)}`;
    }
    console.log(JSON.stringify(line));
  }
} finally {
  viaEscapeLiteral = false;
  for (const v of VARIANTS) await v.dataSource?.destroy();
  await dropDatabases(names);
}

const median = (/** @type {number[]} */ xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const round2 = (/** @type {number} */ x) => Number(x.toFixed(2));
/**
 * @param {Variant} v
 * @param {BatchKind} kind
 */
const summary = (v, kind) => {
  const batches = v.batches[kind];
  return {
    batches: batches.length,
    median_ms: round2(median(batches)),
    mean_ms: round2(batches.reduce((a, b) => a + b, 0) / batches.length),
    client_cpu_ms: round2(v.cpu[kind].client / batches.length),
    server_cpu_ms: round2(v.cpu[kind].server / batches.length),
  };
};
/** @type {Record<string, any>} */
const figures = { people: PEOPLE, batch: BATCH, events_per_batch: BATCH * EVENTS_PER_PERSON, rounds: ROUNDS, engagement: {}, consent: {} };
for (const kind of /** @type {BatchKind[]} */ (['engagement', 'consent'])) {
  const literals = summary(VARIANTS[0], kind);
  for (const v of VARIANTS) {
    const s = summary(v, kind);
    figures[kind][v.name] = {
      ...s,
      median_over_literals: round2(s.median_ms / literals.median_ms),
      client_cpu_over_literals: round2(s.client_cpu_ms / literals.client_cpu_ms),
      server_cpu_over_literals: round2(s.server_cpu_ms / literals.server_cpu_ms),
    };
  }
}
// Each round's engagement latency and client CPU over the literals' (same batches, same round).
figures.engagement_rounds_over_literals = Object.fromEntries(
  VARIANTS.map((v) => [
    v.name,
    { latency: v.rounds.map((r) => Number(r.latency.toFixed(3))), client_cpu: v.rounds.map((r) => Number(r.cpu.toFixed(3))) },
  ]),
);

// The escaping alone, on a batch's profile document (the last literals batch's profiles, serialised):
// the twin's and pg's escapeLiteral, in turn, 40 times each. A bind parameter needs none.
const document = JSON.stringify(documentSample);
/** @type {Record<'twin' | 'escapeLiteral', number[]>} */
const escaping = { twin: [], escapeLiteral: [] };
for (let i = 0; i < 40; i += 1)
  for (const [name, escape] of /** @type {['twin' | 'escapeLiteral', (value: string) => string][]} */ ([
    ['twin', twin.sqlString],
    ['escapeLiteral', escapeLiteral],
  ])) {
    const started = process.hrtime.bigint();
    escape(document);
    escaping[name].push(Number(process.hrtime.bigint() - started) / 1e6);
  }
figures.profile_document = {
  chars: document.length,
  twin_ms: Number(median(escaping.twin).toFixed(3)),
  escape_literal_ms: Number(median(escaping.escapeLiteral).toFixed(3)),
  escape_literal_over_twin: round2(median(escaping.escapeLiteral) / median(escaping.twin)),
};
console.log(JSON.stringify(figures, null, 2));
