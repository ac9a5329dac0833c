import baseConfig, { domainFolders } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // privacy/ (erasure, export) works on profiles; profile/ knows nothing of privacy/.
  ...domainFolders({ consent: [], profile: ['consent'], privacy: ['profile', 'consent'] }),
];
