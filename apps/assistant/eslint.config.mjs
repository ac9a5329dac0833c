import baseConfig, { domainFolders } from '../../eslint.config.mjs';

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
    rules: { 'no-restricted-imports': ['error', notTheEvaluation] },
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
