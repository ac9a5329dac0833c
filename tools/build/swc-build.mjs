#!/usr/bin/env node
// Compiles one Nx project (an app or a lib) from TypeScript to CommonJS with SWC.
//
// Why not webpack or tsc: SWC keeps Nest's decorator metadata (esbuild cannot), compiles this
// whole workspace in about a second on two cores (webpack takes tens of seconds per app), and
// rewrites the `@wt/*` path aliases from tsconfig.base.json into relative requires, so the
// output runs with plain `node` and no runtime resolver. Types are checked separately by the
// `typecheck` target (tsc --noEmit).
//
// Usage: node tools/build/swc-build.mjs <projectRoot>   e.g. apps/ingest  -> dist/apps/ingest
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const projectRoot = process.argv[2];
if (!projectRoot) {
  console.error('usage: swc-build.mjs <projectRoot>');
  process.exit(2);
}
const TEST_FILE = /\.(spec|integration-spec|e2e-spec)\.ts$/;

/**
 * @param {string} dir
 * @returns {Promise<string[]>} the project's TypeScript sources under `dir` (tests and declarations left out)
 */
async function sourceFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !TEST_FILE.test(entry.name)) out.push(path);
  }
  return out;
}

const tsconfig = JSON.parse(await readFile(join(workspaceRoot, 'tsconfig.base.json'), 'utf8'));
const swcrc = JSON.parse(await readFile(join(workspaceRoot, '.swcrc'), 'utf8'));
delete swcrc.$schema;
delete swcrc.exclude;
// One source of truth for aliases: tsconfig.base.json.
swcrc.jsc.baseUrl = workspaceRoot;
swcrc.jsc.paths = tsconfig.compilerOptions.paths;

const srcDir = join(workspaceRoot, projectRoot, 'src');
const outRoot = join(workspaceRoot, 'dist');
await rm(join(outRoot, projectRoot), { recursive: true, force: true });
const files = await sourceFiles(srcDir);
await Promise.all(
  files.map(async (file) => {
    const rel = relative(workspaceRoot, file);
    const outFile = join(outRoot, rel.replace(/\.ts$/, '.js'));
    const { code, map } = await transformFile(file, {
      ...swcrc,
      swcrc: false,
      filename: file,
      sourceFileName: relative(dirname(outFile), file),
      outputPath: outFile,
    });
    await mkdir(dirname(outFile), { recursive: true });
    await writeFile(outFile, map ? `${code}\n//# sourceMappingURL=${outFile.split('/').pop()}.map\n` : code);
    if (map) await writeFile(`${outFile}.map`, map);
  }),
);
console.log(`built ${files.length} files of ${projectRoot} into dist/${projectRoot}`);
