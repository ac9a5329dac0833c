// First step of `npm run demo`, `npm test` and `npm run up` on a fresh clone: install the locked
// dependencies if they are missing or older than the lock file, then build (Nx caches builds).
// Before anything, a stack script run on a Node older than package.json's `engines` runs itself again
// under the pinned Node 22 (see node-runtime.mjs), so the install and every tool run on it.
// Only builtins here: nothing else is installed yet.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSupportedNode } from './node-runtime.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Only when a tools/stack script is the entry point (`npm test`, `npm run demo`, ...): a module that
// imports this one inside another program (Jest's global setup) is not re-run.
if (process.argv[1] && path.dirname(path.resolve(process.argv[1])) === path.join(ROOT, 'tools', 'stack')) ensureSupportedNode();
const NX_ENV = { NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false', NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? '' };

/**
 * Runs a command in the repository root with Nx's non-interactive settings; throws when it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {{env?: NodeJS.ProcessEnv}} [options]
 */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...NX_ENV, ...options.env } });
  if (result.status !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` failed with exit code ${result.status ?? result.signal}`);
  }
}

export function ensureInstalled(log = console.log) {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return false;
  const modules = path.join(ROOT, 'node_modules');
  if (fs.existsSync(modules) && fs.lstatSync(modules).isSymbolicLink())
    // npm ci would empty the directory the link points to: another checkout's dependencies.
    throw new Error(
      `${modules} is a symbolic link and its install marker is missing or older than package-lock.json: run npm ci in the checkout it points to, or replace the link with a real install`,
    );
  log('Installing dependencies (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  return true;
}

export function buildAll(log = console.log) {
  log('Building (nx run-many -t build; cached when nothing changed)...');
  run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);
}

/** @param {string[]} args */
export function nx(args) {
  run('npx', ['nx', ...args]);
}
