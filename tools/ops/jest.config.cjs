// Offline checks of what operations deploy: docker-compose.yml, the Dockerfile, deploy/ (rendered
// with kubectl kustomize, validated against the Kubernetes schemas, policy) and the AsyncAPI document.
/** @type {import('jest').Config} */
const config = {
  displayName: 'ops',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/tools/ops',
  testTimeout: 60_000,
};

module.exports = config;
