import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fromRoot, workspaceRoot } from './lib/workspace';

/** Folders that never hold a project of ours (Nx would not look in them either). */
const SKIPPED = new Set(['node_modules', 'dist', '.git', '.nx', 'coverage', 'tmp']);

/**
 * Every Nx project of the workspace, as `nx show projects` lists them: this workspace declares each
 * project with a project.json (no package-manager workspaces, no plugin that infers projects), so the
 * project.json files are the project graph's nodes. Found by walking the tree, so a new lib anywhere
 * is found.
 */
function nxProjects(root: string): Map<string, string> {
  const projects = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      if (SKIPPED.has(entry)) continue;
      const path = join(dir, entry);
      if (entry === 'project.json') {
        const { name } = JSON.parse(readFileSync(path, 'utf8')) as { name?: string };
        const projectRoot = relative(root, dir);
        projects.set(name ?? projectRoot, projectRoot);
      } else if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(root);
  return projects;
}

/** The rows of the README's workspace map: `name` and `path` in the first two columns. */
export function workspaceMap(readme: string): Map<string, string> {
  const marker = readme.indexOf('<!-- workspace-map');
  if (marker < 0) throw new Error('README.md has no <!-- workspace-map --> marker');
  const rows = new Map<string, string>();
  const lines = readme.slice(marker).split('\n').slice(1);
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  for (const line of table) {
    if (!line.startsWith('|')) break;
    const cells = /^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|/.exec(line);
    if (cells) rows.set(cells[1] as string, cells[2] as string);
  }
  return rows;
}

describe("README.md's workspace map", () => {
  it('lists every Nx project with its path, none missing and none extra', () => {
    const listed = workspaceMap(readFileSync(fromRoot('README.md'), 'utf8'));
    const projects = nxProjects(workspaceRoot());
    expect(projects.size).toBeGreaterThanOrEqual(21);
    expect(Object.fromEntries([...listed].sort())).toEqual(Object.fromEntries([...projects].sort()));
  });

  it('reads the map from the table under the marker', () => {
    const readme =
      '# x\n\n| a | b |\n\n<!-- workspace-map -->\n\n| project | path | what |\n| --- | --- | --- |\n' +
      '| `kafka` | `libs/kafka` | transport |\n| `cli` | `tools/cli` | the command |\n\n| `other` | `table` |\n';
    expect([...workspaceMap(readme)]).toEqual([
      ['kafka', 'libs/kafka'],
      ['cli', 'tools/cli'],
    ]);
  });
});
