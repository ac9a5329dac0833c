import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The monorepo root (where nx.json is), whatever the current directory of the test runner. */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export const fromRoot = (...parts: string[]): string => join(workspaceRoot(), ...parts);
