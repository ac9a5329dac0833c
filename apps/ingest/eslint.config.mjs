import baseConfig, { domainFolders } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // normalization/ is what both doors share; the doors do not know each other.
  ...domainFolders({ normalization: [], 'kafka-door': ['normalization'], http: ['normalization'] }),
];
