// Unit tests of the command-line tools' pure parts (the bench's arithmetic).
module.exports = {
  displayName: 'cli',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/tools/cli',
};
