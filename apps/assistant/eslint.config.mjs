import baseConfig, { domainFolders, restrictedImports } from '../../eslint.config.mjs';

// The evaluation (src/evaluation/: accuracy, latency, calibration) has its own entries: the service never loads it.
const notTheEvaluation = {
  patterns: [{ group: ['./evaluation/*', '../evaluation/*'], message: 'the evaluation is not part of the service binary' }],
};
// A folder's stores are its own: other folders go through the services its module exports.
const noOtherStores = { group: ['../*/*.store', '../../*/*.store'], message: "another folder's store: use a service its module exports" };

export default [
  ...baseConfig,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/evaluation/**'],
    rules: { 'no-restricted-imports': ['error', restrictedImports(notTheEvaluation)] },
  },
  // Services open the transactions; a controller, consumer or store only takes part in one.
  {
    files: ['src/**/*.controller.ts', 'src/**/*.consumer.ts', 'src/**/*.store.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='transaction']", message: 'open the transaction in a service, not here' },
      ],
    },
  },
  // One Nest module per folder; dependencies point down. retrieval/ is the embedding model and plain
  // code (index, gloss); evaluation/ is plain code of its own targets; migrations/ is the schema.
  ...domainFolders(
    {
      retrieval: [],
      business: [],
      privacy: [],
      knowledge: ['retrieval'],
      conversation: ['business', 'knowledge', 'privacy', 'retrieval'],
      agents: ['conversation'],
      evaluation: ['conversation', 'retrieval'],
      migrations: [],
    },
    { patterns: [...notTheEvaluation.patterns, noOtherStores], except: ['evaluation'] },
  ),
];
