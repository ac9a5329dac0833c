#!/usr/bin/env node
// Scoring's per-snapshot code of a baseline build and of this checkout, side by side in one process:
// the contract validation of profile snapshots (validatePayload) and the decision of (person, campaign)
// pairs (decide, and, where this checkout has it, draft: a decision that is not published, whose
// explanation is never written). Passes alternate; CPU from process.cpuUsage. The machine is shared,
// so the ratios matter, not the absolutes. No services needed.
//
//   git archive <baseline> | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/ && (cd /tmp/base && npx nx run-many -t build -p scoring)
//   npx nx run-many -t build -p scoring && node tools/stack/bench-scoring-path.mjs /tmp/base [snapshots=10000] [passes=6]
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './bootstrap.mjs';

const require = createRequire(import.meta.url);
const [baseline, snapshotsArg, passesArg] = process.argv.slice(2);
if (!baseline) {
  console.error('usage: node tools/stack/bench-scoring-path.mjs <baseline checkout with dist/ built> [snapshots=10000] [passes=6]');
  process.exit(2);
}
const SNAPSHOTS = Number(snapshotsArg ?? 10_000);
const PASSES = Number(passesArg ?? 6);
require('reflect-metadata');

/**
 * What this bench calls of a build (either one).
 * @typedef {{Topic: {ProfileSnapshotsV1: string}, validatePayload: (topic: string, payload: unknown) => {ok: boolean}}} ContractsLib
 * @typedef {(snapshot: object, campaign: object, context: object) => unknown} DecideFn
 * @typedef {{contracts: ContractsLib, decide: DecideFn, draft?: DecideFn, coldStart: () => object, emptyHistory: object,
 *   policy: object, campaign: (overrides: object) => object, snapshot: (overrides: object) => object}} Build
 */
/**
 * @param {string} root
 * @returns {Build}
 */
function load(root) {
  const dist = (/** @type {string} */ p) => require(path.join(path.resolve(root), 'dist', p));
  const policy = dist('apps/scoring/src/decision/decision-policy.js');
  const fixtures = dist('apps/scoring/src/testing/fixtures.js');
  return {
    contracts: dist('libs/contracts/src/index.js'),
    decide: policy.decide,
    draft: policy.draft,
    coldStart: () => dist('apps/scoring/src/relevance/logistic-model.js').LogisticModel.coldStart(),
    emptyHistory: dist('apps/scoring/src/relevance/features.js').EMPTY_HISTORY,
    policy: fixtures.policyFixture,
    campaign: fixtures.campaignFixture,
    snapshot: fixtures.snapshotFixture,
  };
}
const before = load(baseline);
const after = load(ROOT);

// Snapshots as profiles publishes them (every field of issue 16's signals), distinct people and instants.
const snapshots = Array.from({ length: SNAPSHOTS }, (_, i) =>
  after.snapshot({
    personId: i.toString(16).padStart(8, '0').repeat(8),
    version: 3 + i,
    updatedAt: new Date(Date.UTC(2026, 10, 28, 12, 0, i % 3600, i % 1000)).toISOString(),
    contact: `v2.${'a'.repeat(64)}.7.abc_def.ghi-jkl.mno`,
    interests: { 'running-shoes': i % 13, cooking: 9.2, yoga: 1.5, fitness: i % 5 },
    activity: {
      totalEvents: 3 + (i % 40),
      eventsBySource: { facebook: 1, instagram: 2 },
      eventsByBusiness: { acme: 1 },
      lastSeenAt: new Date(Date.UTC(2026, 10, 28, 11, 0, i % 3600, i % 1000)).toISOString(),
    },
    signals: {
      purchases: { cooking: 0.5 },
      engagementMix: { social: 2.1, commercial: 0.3 },
      recentInterests: { cooking: 2, fitness: 1 },
      recentHalfLifeHours: 48,
    },
    firstPartyPurchases: { acme: 0.2 },
  }),
);
const campaigns = [after.campaign({ minRelevance: 0.02 }), after.campaign({ campaignId: 'autumn-run', minRelevance: 0.5 })];
const now = new Date('2026-11-28T12:00:00Z');

/**
 * CPU µs per item of one pass of `work` over `count` items.
 * @param {() => void} work
 * @param {number} count
 */
function cpuPer(work, count) {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

/** @param {Build} build */
const validation = (build) => () =>
  cpuPer(() => {
    for (const snapshot of snapshots) {
      if (!build.contracts.validatePayload(build.contracts.Topic.ProfileSnapshotsV1, snapshot).ok)
        throw new Error('a snapshot was refused');
    }
  }, snapshots.length);

/**
 * @param {Build} build
 * @param {DecideFn} fn
 */
const deciding = (build, fn) => {
  const context = { model: build.coldStart(), history: build.emptyHistory, policy: build.policy, now };
  return () =>
    cpuPer(() => {
      for (const snapshot of snapshots) for (const campaign of campaigns) fn(snapshot, campaign, context);
    }, snapshots.length * campaigns.length);
};

/** @type {Record<string, () => number>} */
const series = {
  'validation.before': validation(before),
  'validation.after': validation(after),
  'decide.before': deciding(before, before.decide),
  'decide.after': deciding(after, after.decide),
};
if (after.draft) series['draft.after'] = deciding(after, after.draft);
for (const run of Object.values(series)) run(); // warm-up: plans compiled, code optimized
/** @type {Record<string, number[]>} */
const samples = Object.fromEntries(Object.keys(series).map((name) => [name, []]));
for (let i = 0; i < PASSES; i += 1) for (const [name, run] of Object.entries(series)) samples[name]?.push(run());
const median = (/** @type {string} */ name) => {
  const values = [...(samples[name] ?? [])].sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? NaN;
};
const round = (/** @type {number} */ x) => Number(x.toFixed(2));
console.log(
  JSON.stringify({
    snapshots: SNAPSHOTS,
    pairs: SNAPSHOTS * campaigns.length,
    cpuMicrosPerSnapshotValidated: { before: round(median('validation.before')), after: round(median('validation.after')) },
    validationRatio: round(median('validation.after') / median('validation.before')),
    cpuMicrosPerPair: {
      decideBefore: round(median('decide.before')),
      decideAfter: round(median('decide.after')),
      ...(after.draft ? { unpublishedAfter: round(median('draft.after')) } : {}),
    },
    publishedRatio: round(median('decide.after') / median('decide.before')),
    ...(after.draft ? { unpublishedRatio: round(median('draft.after') / median('decide.before')) } : {}),
  }),
);
