import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    files: ['**/*.ts'],
    ignores: ['**/contract-type.ts'],
    rules: {
      // The compiled validator reads nested types from `@ContractType` (public metadata); class-transformer's
      // own `@Type` would hide them from it, and its internal storage is not a public API.
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'class-transformer', importNames: ['Type'], message: 'use ContractType (validation/contract-type.ts)' }],
          patterns: [{ group: ['class-transformer/*'], message: "class-transformer's internals are not a public API" }],
        },
      ],
    },
  },
];
