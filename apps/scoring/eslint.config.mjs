import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The evaluation harness has its own entry (src/eval/main.ts): the service binary never loads it nor the simulation.
    files: ['src/**/*.ts'],
    ignores: ['src/eval/**', 'src/**/*.spec.ts', 'src/**/*.integration-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@wt/simulation', message: 'only the evaluation (src/eval/) uses the simulated population' }],
          patterns: [{ group: ['./eval/*', '../eval/*'], message: 'the evaluation is not part of the service binary' }],
        },
      ],
    },
  },
];
