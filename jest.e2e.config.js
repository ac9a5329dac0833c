// End-to-end tests (`*.e2e-spec.ts`): every service running as its own process on the test
// profile's stack, traffic only through Kafka topics and HTTP.
const preset = require('./jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/{apps,libs,tools}/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/tools/testing/global-setup.cjs',
  globalTeardown: '<rootDir>/tools/testing/global-teardown.cjs',
  testTimeout: 120_000,
  maxWorkers: 1,
};
