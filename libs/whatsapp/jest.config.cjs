module.exports = {
  displayName: 'whatsapp',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/libs/whatsapp',
};
