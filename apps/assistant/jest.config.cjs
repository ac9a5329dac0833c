module.exports = {
  displayName: 'assistant',
  preset: '../../jest.preset.js',
  // onnxruntime-node checks tensor data against the outer realm's typed arrays (see the file).
  testEnvironment: '<rootDir>/../../tools/testing/onnx-environment.cjs',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/apps/assistant',
};
