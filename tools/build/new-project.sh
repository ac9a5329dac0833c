#!/usr/bin/env bash
# Creates the boilerplate of an Nx project: tools/build/new-project.sh <apps|libs> <name> "<tags>"
set -euo pipefail
kind=$1 name=$2 tags=$3
root="$kind/$name"
mkdir -p "$root/src"
tag_json=$(printf '%s' "$tags" | awk '{for(i=1;i<=NF;i++){printf "%s\"%s\"", (i>1?", ":""), $i}}')
cat > "$root/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$root/src",
  "projectType": "$([ "$kind" = apps ] && echo application || echo library)",
  "tags": [$tag_json],
  "targets": {
    "build": {
      "executor": "nx:run-commands",
      "outputs": ["{workspaceRoot}/dist/$root"],
      "options": { "command": "node tools/build/swc-build.mjs $root" }
    },
    "typecheck": {
      "executor": "nx:run-commands",
      "options": { "command": "tsc -p $root/tsconfig.json --noEmit" }
    }
  }
}
JSON
cat > "$root/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "types": ["node", "jest"] },
  "include": ["src/**/*.ts"]
}
JSON
cat > "$root/jest.config.cjs" <<JS
module.exports = {
  displayName: '$name',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/$root',
};
JS
cat > "$root/eslint.config.mjs" <<JS
import baseConfig from '../../eslint.config.mjs';

export default [...baseConfig];
JS
