#!/usr/bin/env node
// `npm test`: everything CI checks, on a fresh clone.
//   1. install if needed;
//   2. formatting (Prettier), then lint, typecheck, unit tests and build of every project (Nx, cached);
//   3. offline checks of deploy/ and docker-compose.yml when present, and the alert rules' unit tests
//      (promtool, fetched once from Debian's prometheus package if it is not on PATH);
//   4. integration tests on the real broker and Postgres of the `test` profile;
//   5. end-to-end tests with every service running on that stack;
// then stops what it started. One broker and one set of databases for the whole run.
import { ensureInstalled, nx, run } from './bootstrap.mjs';

const started = Date.now();
const phase = (/** @type {string} */ name) => console.log(`\n=== ${name} (${((Date.now() - started) / 1000).toFixed(0)} s) ===`);

ensureInstalled();
phase('formatting (prettier --check)');
run('npx', ['prettier', '--check', '.', '--log-level', 'warn']);
phase('lint, typecheck, unit tests, build');
nx(['run-many', '-t', 'lint', 'typecheck', 'test', 'build', '--outputStyle=static', '--parallel=2']);

phase('alert rules (promtool check rules, promtool test rules)');
const { testAlertRules } = await import('./promtool.mjs');
console.log(testAlertRules());

const { applySlot, stackDown, stackUp } = await import('./stack.mjs');
await applySlot('test');
phase('stack (test profile)');
if (!process.env.KAFKA_BROKERS) {
  // Every run starts from an empty broker: topics hold only this run's records, so tests that
  // read a topic from its beginning stay fast and runs cannot see each other's data.
  const { resetBroker } = await import('./kafka-broker.mjs');
  await resetBroker({ profile: 'test' });
}
const up = await stackUp({ profile: 'test', services: false, build: false });
process.env.WT_STACK_KEEP = '1';
let failed = false;
try {
  phase('integration tests (real Kafka, real Postgres)');
  run('npx', ['jest', '-c', 'jest.integration.config.js']);
  phase('end-to-end tests (every service running)');
  run('npx', ['jest', '-c', 'jest.e2e.config.js']);
} catch (error) {
  console.error(/** @type {Error} */ (error).message);
  failed = true;
} finally {
  phase('stopping the test stack');
  await stackDown({ profile: 'test', broker: up.brokerStartedByUs });
}
console.log(`\nnpm test ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
