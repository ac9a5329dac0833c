import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { preProcessFile } from 'typescript';

/** The files of this app that `entry` loads, following its relative imports (the libs are left out). */
function graphOf(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { fileName } of preProcessFile(readFileSync(file, 'utf8')).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = join(dirname(file), fileName);
      const next = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      if (!next) throw new Error(`${relative(__dirname, file)} imports ${fileName}, which is no file`);
      visit(next);
    }
  };
  visit(entry);
  return [...seen].map((file) => relative(__dirname, file));
}

describe("the service binary's module graph", () => {
  const graph = graphOf(join(__dirname, 'main.ts'));

  it('holds every domain module and neither the evaluation nor the model fetching of the tests', () => {
    expect(graph).toEqual(
      expect.arrayContaining([
        'app.module.ts',
        'conversation/conversation.module.ts',
        'agents/agents.module.ts',
        'privacy/privacy.module.ts',
      ]),
    );
    expect(graph.filter((file) => file.startsWith('evaluation/') || file.endsWith('model-files.ts'))).toEqual([]);
  });
});
