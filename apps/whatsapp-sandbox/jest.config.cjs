module.exports = {
  displayName: 'whatsapp-sandbox',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/apps/whatsapp-sandbox',
};
