import baseConfig, { domainFolders } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // One Nest module per folder (app.module.ts says how they stack); graph/ and openapi/ are plain code for all; testing/ is specs' fixtures.
  ...domainFolders({
    graph: [],
    openapi: [],
    health: ['openapi'],
    stats: ['openapi'],
    webhooks: ['stats'],
    faults: ['openapi'],
    templates: ['graph', 'openapi'],
    users: ['openapi', 'webhooks'],
    account: ['graph', 'openapi', 'webhooks'],
    conversions: ['graph', 'openapi'],
    simulation: ['openapi'],
    messages: ['account', 'faults', 'graph', 'openapi', 'simulation', 'stats', 'templates', 'users', 'webhooks'],
    inbound: ['conversions', 'messages', 'openapi', 'stats', 'users', 'webhooks'],
  }),
];
