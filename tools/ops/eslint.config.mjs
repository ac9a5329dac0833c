import baseConfig, { nodeScripts } from '../../eslint.config.mjs';

// The offline checks' scripts (validate-k8s.mjs: ES modules only, run by the specs) and this project's config files.
export default [...baseConfig, ...nodeScripts(['eslint.config.mjs', 'jest.config.cjs', 'scripts/*.mjs'])];
