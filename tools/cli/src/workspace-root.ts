import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The monorepo root (where nx.json is), found above this file whether it runs from src or dist. */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
