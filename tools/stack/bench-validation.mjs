#!/usr/bin/env node
// Contract validation (validatePayload: the compiled fast path, class-validator for what it is not
// sure of) of a baseline build and of this checkout, side by side in one process: the same
// records, passes alternating; the machine is shared, so the ratio matters, not the absolutes.
// Also class-validator alone on the same records (fastPathSpeedup: what the fast path saves).
// No services needed.
//
//   git archive <baseline> | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/ && (cd /tmp/base && npx nx run contracts:build)
//   npx nx run contracts:build && node tools/stack/bench-validation.mjs /tmp/base [records=100000] [passes=3]
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './bootstrap.mjs';

const require = createRequire(import.meta.url);
const [baseline, recordsArg, passesArg] = process.argv.slice(2);
if (!baseline) {
  console.error(
    'usage: node tools/stack/bench-validation.mjs <baseline checkout with dist/libs/contracts built> [records=100000] [passes=3]',
  );
  process.exit(2);
}
const RECORDS = Number(recordsArg ?? 100_000);
const PASSES = Number(passesArg ?? 3);
/**
 * What this bench calls of the contracts lib (either build).
 * @typedef {{Topic: {SocialEngagementV1: string}, validatePayload: (topic: string, payload: unknown) => {ok: boolean}, classValidatorVerdict: (topic: string, payload: unknown) => {ok: boolean}}} ContractsLib
 */
/** @type {ContractsLib} */
const after = require(path.join(ROOT, 'dist/libs/contracts/src/index.js'));
/** @type {ContractsLib} */
const before = require(path.join(path.resolve(baseline), 'dist/libs/contracts/src/index.js'));

const TYPES = ['like', 'comment', 'share', 'click', 'purchase'];
const CATEGORIES = ['running-shoes', 'fitness', 'yoga', 'hiking', 'cycling', 'swimming'];
const records = Array.from({ length: RECORDS }, (_, i) => ({
  eventId: `evt-${i}`,
  source: i % 2 ? 'instagram' : 'facebook',
  type: TYPES[i % TYPES.length],
  phone: `+33 6 ${String(10_000_000 + (i % 90_000_000)).replace(/(\d\d)(?=\d)/g, '$1 ')}`,
  occurredAt: new Date(Date.UTC(2026, 10, 28, 10, 0, i % 3600)).toISOString(),
  categories: [CATEGORIES[i % CATEGORIES.length], CATEGORIES[(i * 7) % CATEGORIES.length]],
  ...(i % 5 === 4 ? { businessId: 'acme', value: 12.5, currency: 'EUR' } : {}),
  ...(i % 3 === 0 ? { country: 'FR' } : {}),
}));

/**
 * @param {string} label
 * @param {ContractsLib} lib
 * @param {(topic: string, payload: unknown) => {ok: boolean}} [validate]
 */
function pass(label, lib, validate = lib.validatePayload) {
  const topic = lib.Topic.SocialEngagementV1;
  let ok = 0;
  const started = process.hrtime.bigint();
  for (const record of records) if (validate(topic, record).ok) ok += 1;
  const ns = Number(process.hrtime.bigint() - started);
  if (ok !== RECORDS) throw new Error(`${label}: ${RECORDS - ok} records refused`);
  return { label, records: ok, nsPerRecord: Math.round(ns / ok) };
}

// One warm-up pass each (plans are compiled on first use), then alternating measured passes. The third
// series is class-validator alone (this checkout's `classValidatorVerdict`: plainToInstance + validateSync),
// what every record would cost without the fast path.
pass('warm-up', before);
pass('warm-up', after);
pass('warm-up', after, after.classValidatorVerdict);
/** @type {ReturnType<typeof pass>[]} */
const rows = [];
for (let i = 0; i < PASSES; i += 1) {
  rows.push(pass(`before-${i + 1}`, before));
  rows.push(pass(`after-${i + 1}`, after));
  rows.push(pass(`class-validator-${i + 1}`, after, after.classValidatorVerdict));
}
for (const row of rows) console.log(JSON.stringify(row));
const median = (/** @type {string} */ prefix) => {
  const values = rows
    .filter((r) => r.label.startsWith(prefix))
    .map((r) => r.nsPerRecord)
    .sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
};
console.log(
  JSON.stringify({
    records: RECORDS,
    beforeNsPerRecord: median('before'),
    afterNsPerRecord: median('after'),
    ratio: Number((median('after') / median('before')).toFixed(2)),
    classValidatorNsPerRecord: median('class-validator'),
    fastPathSpeedup: Number((median('class-validator') / median('after')).toFixed(1)),
  }),
);
