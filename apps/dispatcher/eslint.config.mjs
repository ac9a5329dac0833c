import baseConfig, { domainFolders } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // One Nest module per folder; dependencies point down: webhook/ → dispatch/, conversion/, pricing/; dispatch/ → pricing/.
  // A folder is used through its module and the services it exports (`entries`): the ledger, the
  // sender and the stores stay inside dispatch/. testing/ is the integration specs' test bed.
  ...domainFolders(
    {
      pricing: [],
      conversion: [],
      dispatch: ['pricing'],
      webhook: ['dispatch', 'conversion', 'pricing'],
      migrations: [],
      testing: [],
    },
    {
      entries: {
        pricing: ['pricing.module', 'message-costs'],
        conversion: ['conversion.module', 'conversion-attribution'],
        dispatch: ['dispatch.module', 'send-tracking', 'account-states', 'send-outcomes'],
      },
    },
  ),
];
