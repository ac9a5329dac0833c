import baseConfig, { domainFolders, restrictedImports } from '../../eslint.config.mjs';

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
    rules: { 'no-restricted-imports': ['error', restrictedImports(notTheEvaluation)] },
  },
  // One Nest module per folder; dependencies point down (launch/ decides when to evaluate, decision/ how).
  // outbox/ (the transactional outbox base) and policy/ (contact rules) are plain code, no module; testing/ is specs' fixtures.
  // A folder is used through its module and the files named in `entries` (its exported services and
  // plain functions): the stores (`*.store.ts`) stay inside their folder.
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
    {
      ...notTheEvaluation,
      except: ['eval'],
      entries: {
        relevance: ['relevance.module', 'model.service', 'features', 'logistic-model'],
        audience: ['audience.module', 'audience.service'],
        eligibility: ['eligibility.module', 'eligibility.service'],
        campaign: ['campaign.module', 'campaign-catalog.service'],
        decision: ['decision.module', 'decision.engine', 'decision-records.service', 'decision-policy'],
        report: ['report.module', 'report-records.service'],
        outcome: ['outcome.module', 'outcome.learner'],
      },
    },
  ),
];
