// Unit tests of the command-line tools' pure parts (the bench's arithmetic).
/** @type {import('jest').Config} */
const config = {
  displayName: 'cli',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/tools/cli',
};

module.exports = config;
