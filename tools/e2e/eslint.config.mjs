import baseConfig, { nodeScripts } from '../../eslint.config.mjs';

// A command-line tool: printing is its job.
export default [...baseConfig, ...nodeScripts(['eslint.config.mjs']), { rules: { 'no-console': 'off' } }];
