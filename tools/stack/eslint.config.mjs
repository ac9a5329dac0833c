import js from '@eslint/js';

// The stack's and the build's scripts (plain Node ESM, builtins and a few dependencies): ESLint's
// recommended rules. Type-checked by `nx run stack:typecheck` (checkJs with JSDoc types: tools/stack/tsconfig.json).
/** Node's globals these scripts use (ESLint's recommended `no-undef` flags any other). */
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
  ].map((name) => [name, 'readonly']),
);

export default [
  { ignores: ['**/README.md'] },
  js.configs.recommended,
  {
    files: ['**/*.mjs'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: NODE_GLOBALS },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
];
