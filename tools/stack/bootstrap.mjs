// First step of `npm run demo`, `npm test` and `npm run up` on a fresh clone: install the locked
// dependencies if they are missing or older than the lock file, then build (Nx caches builds).
// Only builtins here: nothing else is installed yet.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NX_ENV = { NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false', NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? '' };

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
  log('Installing dependencies (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  return true;
}

export function buildAll(log = console.log) {
  log('Building (nx run-many -t build; cached when nothing changed)...');
  run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);
}

export function nx(args) {
  run('npx', ['nx', ...args]);
}
