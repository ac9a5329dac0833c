// A jest environment for tests that run onnxruntime-node: jest gives each test file its own realm,
// and onnxruntime checks tensor data with `instanceof Float32Array` of ITS realm (the outer one), so
// typed arrays made in the test realm fail ("A float32 tensor's data must be type of Float32Array").
// The test realm gets the outer realm's typed-array constructors. Use with the docblock
// `@jest-environment <relative path to this file>` in the test files that load a model.
const { TestEnvironment } = require('jest-environment-node');

class OnnxEnvironment extends TestEnvironment {
  /**
   * @param {ConstructorParameters<typeof TestEnvironment>[0]} config
   * @param {ConstructorParameters<typeof TestEnvironment>[1]} context
   */
  constructor(config, context) {
    super(config, context);
    // This module runs in the outer realm: these names are its constructors.
    Object.assign(this.global, { Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array, Uint16Array, Int16Array });
  }
}

module.exports = OnnxEnvironment;
