import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/** Packages without subpath exports (no `exports` map): every path past their name is a private file. */
const PRIVATE_PAST_NAME = ['class-transformer', 'class-validator', 'class-validator-jsonschema', 'kafkajs'];

/**
 * Imports no TypeScript file of the workspace may use. Every project's `no-restricted-imports` setting
 * starts from these (`restrictedImports`): flat config keeps the last setting of a rule, it does not
 * merge, so a project's own entry would otherwise drop them.
 */
export const workspaceImportRestrictions = {
  paths: [
    {
      name: 'class-transformer',
      importNames: ['Type'],
      message:
        'use ContractType (@wt/contracts): it also records the type where the compiled validator and the OpenAPI/AsyncAPI schemas read it',
    },
  ],
  patterns: [
    {
      group: PRIVATE_PAST_NAME.map((name) => `${name}/*`),
      message: "a package's private files are not its API: use what its entry point exports",
    },
    {
      // Any other package's build folders (`x/cjs/...`, `@s/x/esm5/...`, `x/types/...`): internals that move between releases.
      regex: `^(?!(${PRIVATE_PAST_NAME.join('|')})/)(@[^/]+/)?[^./][^/]*/(cjs|esm[^/]*|types|src|build|dist|lib)(/|$)`,
      message: "a package's private files are not its API: use what its entry point (or a documented subpath) exports",
    },
  ],
};

/**
 * `no-restricted-imports` options: the workspace's restrictions and a project's own (`paths`, `patterns`).
 * @param {{ paths?: object[], patterns?: object[] }} [own]
 */
export function restrictedImports(own = {}) {
  return {
    paths: [...workspaceImportRestrictions.paths, ...(own.paths ?? [])],
    patterns: [...workspaceImportRestrictions.patterns, ...(own.patterns ?? [])],
  };
}

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
            // Scopes: who may use what. `scope:shared` is what every service stands on; the other lib
            // scopes name a capability that only some services have, so that the rules say which.
            // Shared libs use shared libs only.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The Cloud API's client, webhook shapes and error codes: the dispatcher, and the sandbox that imitates Meta.
            { sourceTag: 'scope:whatsapp', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The key vault (persons' keys, so their numbers): never scoring, never the sandbox.
            { sourceTag: 'scope:person-keys', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Business API keys and their guard: the services with a business-facing HTTP API.
            { sourceTag: 'scope:business-api', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The simulated population: the sandbox's recipients and scoring's evaluation harness
            // (and the dispatcher's integration tests, which drive simulated recipients).
            { sourceTag: 'scope:simulation', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The stored profile's shape and what each engagement counts for: profiles, scoring's evaluation
            // harness (which counts engagement as profiles does), and the tools that drive profiles' built code.
            { sourceTag: 'scope:profile-model', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Each service: shared code, its own scope, and the capabilities it has.
            {
              sourceTag: 'scope:ingest',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:ingest', 'scope:person-keys', 'scope:business-api'],
            },
            {
              sourceTag: 'scope:profiles',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:profiles', 'scope:person-keys', 'scope:profile-model'],
            },
            {
              sourceTag: 'scope:scoring',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:scoring', 'scope:business-api', 'scope:simulation', 'scope:profile-model'],
            },
            {
              sourceTag: 'scope:dispatcher',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:dispatcher', 'scope:person-keys', 'scope:whatsapp', 'scope:simulation'],
            },
            {
              sourceTag: 'scope:whatsapp-sandbox',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:whatsapp-sandbox', 'scope:whatsapp', 'scope:simulation'],
            },
            {
              sourceTag: 'scope:assistant',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:assistant', 'scope:person-keys', 'scope:business-api'],
            },
            // Tools (the `wt` command, e2e tests, offline checks) may use any lib, never an app.
            {
              sourceTag: 'scope:tools',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:person-keys',
                'scope:whatsapp',
                'scope:business-api',
                'scope:simulation',
                'scope:profile-model',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'error',
      'no-restricted-imports': ['error', restrictedImports()],
      // Explicit types on decorated fields are what emitDecoratorMetadata reads.
      '@typescript-eslint/no-inferrable-types': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];

/**
 * @typedef {{paths?: Array<{name: string, message?: string}>, patterns?: Array<{group: string[], message?: string}>,
 *            except?: string[], entries?: Record<string, string[]>}} DomainFolderOptions
 */

/**
 * Domain folders inside an app (`src/<folder>/`, one Nest module each): a folder imports only its
 * own files, the folders it is allowed (`allowed[folder]`), the app's root files and libs; never
 * another domain's internals (its stores, its consumers). Used by each app's eslint.config.mjs.
 * Integration specs are left out: they wire the whole app, as main.ts does.
 *
 * `also` adds the app's own restrictions (`paths`, `patterns`) to every folder but those in
 * `also.except`: an app's other `no-restricted-imports` entry would otherwise be replaced by this
 * one for the files both match (flat config keeps the last setting of a rule, it does not merge).
 * The workspace's restrictions (`workspaceImportRestrictions`) always apply.
 *
 * `also.entries` names, per folder, the only files other folders may import from it (its module
 * and the services it exports, without `.ts`): its stores and internals stay behind its services.
 * A folder not named there is open to the folders allowed to import it.
 * @param {Record<string, string[]>} allowed folder -> the folders it may import
 * @param {DomainFolderOptions} [also]
 * @returns {import('eslint').Linter.Config[]}
 */
export function domainFolders(allowed, also = {}) {
  const folders = Object.keys(allowed);
  const entries = also.entries ?? {};
  return folders.map((folder) => {
    /** @type {DomainFolderOptions} */
    const own = (also.except ?? []).includes(folder) ? {} : also;
    return {
      files: [`src/${folder}/**/*.ts`],
      ignores: ['src/**/*.integration-spec.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          restrictedImports({
            paths: own.paths ?? [],
            patterns: [
              ...folders
                .filter((other) => other !== folder && !allowed[folder].includes(other))
                .map((other) => ({
                  group: [`../${other}/*`, `../../${other}/*`],
                  message: `${folder}/ does not reach into ${other}/ (domain folders: see this app's eslint.config.mjs)`,
                })),
              ...allowed[folder]
                .filter((other) => entries[other])
                .map((other) => ({
                  group: [`../${other}/*`, ...entries[other].map((file) => `!../${other}/${file}`)],
                  message: `${folder}/ uses ${other}/ through ${entries[other].join(', ')} only (see this app's eslint.config.mjs)`,
                })),
              ...(own.patterns ?? []),
            ],
          }),
        ],
      },
    };
  });
}

/** Node's globals the tools' plain JavaScript uses (ESLint's recommended `no-undef` flags any other). */
const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'fetch',
    'AbortController',
    'AbortSignal',
    'structuredClone',
    'performance',
    'TextEncoder',
    'TextDecoder',
    'queueMicrotask',
  ].map((name) => [name, /** @type {const} */ ('readonly')]),
);

/**
 * The tools' plain JavaScript (Node scripts and config files, ES modules and CommonJS): ESLint's
 * recommended rules with Node's globals. Their types are checked apart (checkJs with JSDoc types, in
 * the project's typecheck target). The TypeScript rules above need a TypeScript program, hence the
 * ignored `*.mjs`: the `files` given here are linted again. Used by the tools' eslint.config.mjs.
 * @param {string[]} files patterns, relative to the project's eslint.config.mjs (`.cjs` ones are CommonJS)
 * @returns {import('eslint').Linter.Config[]}
 */
export function nodeScripts(files) {
  const commonJs = files.filter((pattern) => pattern.endsWith('.cjs'));
  return [
    { ignores: files.map((pattern) => `!${pattern}`) },
    { files, ...js.configs.recommended },
    {
      files,
      languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: NODE_GLOBALS },
      rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }] },
    },
    ...(commonJs.length > 0
      ? [
          {
            files: commonJs,
            languageOptions: {
              sourceType: 'commonjs',
              globals: { ...NODE_GLOBALS, __dirname: 'readonly', __filename: 'readonly' },
            },
          },
        ]
      : []),
  ];
}
