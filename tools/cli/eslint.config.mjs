import baseConfig, { nodeScripts } from '../../eslint.config.mjs';

// A command-line tool: printing is its job.
export default [...baseConfig, ...nodeScripts(['eslint.config.mjs', 'jest.config.cjs']), { rules: { 'no-console': 'off' } }];
