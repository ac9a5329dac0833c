import { nodeScripts } from '../../eslint.config.mjs';

// The stack's, the build's and the jest setup's scripts (plain Node, builtins and a few dependencies):
// ESLint's recommended rules with Node's globals (nodeScripts of the root config). Type-checked by
// `nx run stack:typecheck` (checkJs with JSDoc types: tools/stack/tsconfig.json).
export default [{ ignores: ['**/README.md'] }, ...nodeScripts(['**/*.mjs', '**/*.cjs'])];
