#!/usr/bin/env node
// The project's Node: 22 LTS (package.json `engines`). On a machine whose own Node is older (Node 20
// reached its end of life on 2026-04-30), the stack's scripts (`npm test`, `npm run demo`, ...)
// install the pinned Node from the npm registry into the stack's cache (package `node-<os>-<arch>`,
// a binary only: npm stays the machine's, run by the pinned Node) and run themselves again under it,
// with it first on PATH: `npm ci`, `npx nx`, `npx jest` and every service then run on Node 22, and
// npm checks `engines` against 22 (no EBADENGINE).
//
//   node tools/stack/node-runtime.mjs <command> [args...]   runs one command under the pinned Node,
//                                                            e.g. `node tools/stack/node-runtime.mjs npm ci`
//   node tools/stack/node-runtime.mjs --print               prints the pinned Node's bin directory
//
// WT_NODE_PIN=0 turns the re-run off (a machine that provides its own Node 22).
// Only builtins here: nothing else is installed yet.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackCacheRoot } from './cache-dir.mjs';

/** The Node the project pins when the machine's is older than `engines` allows. */
export const PINNED_NODE = '22.23.5';
/** package.json `engines.node` (>=22.15.0: @opentelemetry/* 3.x and nestjs-pino 5 require it). */
export const MIN_NODE = [22, 15, 0];

/**
 * @param {string} [version]
 * @param {number[]} [min]
 */
export function nodeSatisfies(version = process.versions.node, min = MIN_NODE) {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) > min[i];
  }
  return true;
}

/** Where the pinned Node lives in the cache (shared by every checkout of the machine). */
export function pinnedNodeDir(env = process.env) {
  return path.join(stackCacheRoot(env), 'node', `${PINNED_NODE}-${process.platform}-${process.arch}`);
}

/**
 * The pinned Node's bin directory, installed from the npm registry on first use (`npm pack` of
 * `node-<platform>-<arch>@PINNED_NODE`, about 50 MB, unpacked into the cache). Concurrent first
 * uses each unpack into their own directory and the first rename wins.
 */
export function installPinnedNode(log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`)) {
  const dir = pinnedNodeDir();
  const bin = path.join(dir, 'bin');
  if (fs.existsSync(path.join(bin, 'node'))) return bin;
  const pkg = `node-${process.platform}-${process.arch}@${PINNED_NODE}`;
  log(`Node ${process.versions.node} is older than ${MIN_NODE.join('.')}: installing Node ${PINNED_NODE} from npm (${pkg}) into ${dir}`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(dir), `.install-${process.pid}-`));
  try {
    const packed = spawnSync('npm', ['pack', pkg, '--silent', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = packed.stdout?.trim().split('\n').pop();
    if (packed.status !== 0 || !tarball) throw new Error(`npm pack ${pkg} failed (exit ${packed.status ?? packed.signal})`);
    const unpacked = spawnSync('tar', ['xzf', path.join(work, tarball), '-C', work], { stdio: 'inherit' });
    if (unpacked.status !== 0) throw new Error(`could not unpack ${tarball}`);
    const check = spawnSync(path.join(work, 'package', 'bin', 'node'), ['--version'], { encoding: 'utf8' });
    if (check.stdout?.trim() !== `v${PINNED_NODE}`) throw new Error(`${pkg} does not run here: ${check.stderr || check.error}`);
    try {
      fs.renameSync(path.join(work, 'package'), dir);
    } catch (error) {
      if (!fs.existsSync(path.join(bin, 'node'))) throw error;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return bin;
}

/**
 * The environment of a process run under the pinned Node: its bin first on PATH.
 * @param {string} bin
 * @param {NodeJS.ProcessEnv} [env]
 */
export function pinnedNodeEnv(bin, env = process.env) {
  return { ...env, PATH: `${bin}${path.delimiter}${env.PATH ?? ''}`, WT_NODE_PINNED: PINNED_NODE };
}

/**
 * Runs the current script again under the pinned Node when the running one is too old, and exits
 * with its status; returns when the running Node is recent enough (or WT_NODE_PIN=0).
 */
export function ensureSupportedNode() {
  if (nodeSatisfies() || process.env.WT_NODE_PIN === '0') return;
  if (process.env.WT_NODE_PINNED) throw new Error(`still on Node ${process.versions.node} after switching to ${PINNED_NODE}`);
  const bin = installPinnedNode();
  process.stderr.write(
    `Node ${process.versions.node} is older than ${MIN_NODE.join('.')} (package.json engines): running under Node ${PINNED_NODE} (${bin})\n`,
  );
  const result = spawnSync(path.join(bin, 'node'), [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: pinnedNodeEnv(bin),
  });
  process.exit(result.status ?? (result.signal ? 128 + (os.constants.signals[result.signal] ?? 0) : 1));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  const bin = nodeSatisfies() || process.env.WT_NODE_PIN === '0' ? path.dirname(process.execPath) : installPinnedNode();
  if (!command || command === '--print') {
    process.stdout.write(`${bin}\n`);
  } else {
    const result = spawnSync(command, args, { stdio: 'inherit', env: pinnedNodeEnv(bin) });
    process.exit(result.status ?? 1);
  }
}
