import baseConfig, { domainFolders } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // privacy/ (erasure, export) works on profiles; profile/ knows nothing of privacy/.
  // privacy/ uses profile/ through its module and ProfileRecords (`entries`): ProfileStore stays inside profile/.
  ...domainFolders(
    { consent: [], profile: ['consent'], privacy: ['profile', 'consent'] },
    { entries: { profile: ['profile.module', 'profile-records.service', 'profile-snapshot'] } },
  ),
];
