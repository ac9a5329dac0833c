module.exports = {
  displayName: 'dispatcher',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/apps/dispatcher',
};
