import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type EmbeddingModelFiles } from './sentence-embedder';

/** The workspace root: the nearest folder above `from` that holds nx.json. */
function workspaceRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no workspace (nx.json) above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * The embedding model's files for the evaluation, the benchmark and the tests: EMBEDDING_MODEL and
 * EMBEDDING_TOKENIZER when set, otherwise the project's cache, fetched into it from Maven Central
 * first if missing (tools/stack/embedding-model.mjs, as the local stack does). Never at service run time.
 */
export function modelFiles(env: NodeJS.ProcessEnv = process.env): EmbeddingModelFiles {
  const model = env['EMBEDDING_MODEL'];
  const tokenizer = env['EMBEDDING_TOKENIZER'];
  const prefix = env['EMBEDDING_PREFIX'] || undefined;
  if (model && tokenizer) return { model, tokenizer, prefix };
  const script = join(workspaceRoot(__dirname), 'tools/stack/embedding-model.mjs');
  const fetched = spawnSync(process.execPath, [script, 'path'], { encoding: 'utf8', env });
  if (fetched.status !== 0) throw new Error(`could not fetch the embedding model: ${fetched.stderr}`);
  return { prefix, ...(JSON.parse(fetched.stdout.trim().split('\n').at(-1) ?? '{}') as EmbeddingModelFiles) };
}
