// Integration tests (`*.integration-spec.ts`): the real Kafka broker and the real Postgres of the
// test profile, started once for the whole run by the global setup (nothing is faked here).
const preset = require('./jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/{apps,libs,tools}/**/*.integration-spec.ts'],
  globalSetup: '<rootDir>/tools/testing/global-setup.cjs',
  globalTeardown: '<rootDir>/tools/testing/global-teardown.cjs',
  testTimeout: 60_000,
  maxWorkers: 1,
};
