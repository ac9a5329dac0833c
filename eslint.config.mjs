import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '**/.nx', 'tmp', '**/*.mjs', '**/*.js', '**/*.cts'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: true,
          allow: [],
          depConstraints: [
            // Apps are deployables: they never import one another. (`type:testing` is for their tests.)
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:runtime', 'type:contracts', 'type:data-access', 'type:util', 'type:testing'],
            },
            // Tools (CLI, demo) are like apps: they may use any lib, never an app.
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:runtime', 'type:contracts', 'type:data-access', 'type:util', 'type:testing'],
            },
            // The runtime wires a service together: transport, observability, configuration.
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:util', 'type:testing'] },
            // Talking to Kafka or Postgres may use contracts, plain utilities and other data access, never an app.
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing', 'type:data-access'],
            },
            // Test helpers depend on the contracts only, so that any lib's tests may use them.
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts'] },
            // Utilities are plain code: contracts and other utilities only.
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            // The public contracts depend on nothing of ours.
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            // A service's scope may use shared code and its own scope only.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:shared', 'scope:ingest'] },
            { sourceTag: 'scope:profiles', onlyDependOnLibsWithTags: ['scope:shared', 'scope:profiles'] },
            { sourceTag: 'scope:scoring', onlyDependOnLibsWithTags: ['scope:shared', 'scope:scoring'] },
            { sourceTag: 'scope:dispatcher', onlyDependOnLibsWithTags: ['scope:shared', 'scope:dispatcher'] },
            { sourceTag: 'scope:whatsapp-sandbox', onlyDependOnLibsWithTags: ['scope:shared', 'scope:whatsapp-sandbox'] },
            { sourceTag: 'scope:assistant', onlyDependOnLibsWithTags: ['scope:shared', 'scope:assistant'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'error',
      // Explicit types on decorated fields are what emitDecoratorMetadata reads.
      '@typescript-eslint/no-inferrable-types': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
