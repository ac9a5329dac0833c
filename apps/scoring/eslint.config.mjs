import baseConfig, { domainFolders } from '../../eslint.config.mjs';

// The evaluation harness has its own entry (src/eval/main.ts): the service binary never loads it nor the simulation.
const notTheEvaluation = {
  paths: [{ name: '@wt/simulation', message: 'only the evaluation (src/eval/) uses the simulated population' }],
  patterns: [{ group: ['./eval/*', '../eval/*'], message: 'the evaluation is not part of the service binary' }],
};

export default [
  ...baseConfig,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/eval/**', 'src/**/*.spec.ts', 'src/**/*.integration-spec.ts'],
    rules: { 'no-restricted-imports': ['error', notTheEvaluation] },
  },
  // One Nest module per folder; dependencies point down (launch/ decides when to evaluate, decision/ how).
  // outbox/ (the transactional outbox base) and policy/ (contact rules) are plain code, no module; testing/ is specs' fixtures.
  ...domainFolders(
    {
      outbox: [],
      relevance: [],
      policy: ['relevance'],
      audience: [],
      eligibility: [],
      campaign: ['outbox'],
      decision: ['campaign', 'eligibility', 'outbox', 'policy', 'relevance'],
      report: ['audience', 'campaign', 'decision'],
      outcome: ['decision', 'eligibility', 'relevance', 'report'],
      launch: ['audience', 'campaign', 'decision', 'eligibility', 'outcome', 'policy', 'relevance', 'report'],
      eval: ['outcome', 'policy', 'relevance'],
      migrations: [],
    },
    { ...notTheEvaluation, except: ['eval'] },
  ),
];
