import baseConfig from '../../eslint.config.mjs';

// A command-line tool: printing is its job.
export default [...baseConfig, { rules: { 'no-console': 'off' } }];
