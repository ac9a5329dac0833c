#!/usr/bin/env node
// promtool for `npm test` and `npm run test:alerts`: the one on PATH if there is one, else the
// binary of Debian's `prometheus` package, fetched once with `apt-get download` (no root needed,
// nothing installed or started) and unpacked into the stack cache beside the Kafka jars.
//
//   node tools/stack/promtool.mjs test            # promtool test rules on deploy/base/monitoring
//   node tools/stack/promtool.mjs path            # prints the promtool it would use
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { stackCacheRoot } from './cache-dir.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MONITORING = path.join(ROOT, 'deploy/base/monitoring');

function onPath() {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Returns the path of a working promtool, fetching Debian's package into the cache if needed. */
export function ensurePromtool({ log = (/** @type {string} */ m) => console.log(m) } = {}) {
  if (process.env.PROMTOOL) return process.env.PROMTOOL;
  const system = onPath();
  if (system) return system;
  const dir = path.join(stackCacheRoot(), 'promtool');
  const cached = path.join(dir, 'usr/bin/promtool');
  if (fs.existsSync(cached)) return cached;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-promtool-'));
  try {
    log("Fetching promtool (Debian's prometheus package, once; cached in " + dir + ')');
    const download = () => spawnSync('apt-get', ['download', 'prometheus'], { cwd: work, encoding: 'utf8' });
    let result = download();
    if (result.status !== 0 && process.getuid?.() === 0) {
      // A fresh machine has no package lists yet.
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
      result = download();
    }
    const deb = fs.readdirSync(work).find((f) => f.endsWith('.deb'));
    if (result.status !== 0 || !deb) {
      throw new Error(
        `could not fetch promtool: apt-get download prometheus failed: ${(result.stderr || result.error?.message || '').trim()}`,
      );
    }
    const unpacked = path.join(work, 'root');
    execFileSync('dpkg-deb', ['-x', path.join(work, deb), unpacked]);
    fs.mkdirSync(path.join(dir, 'usr/bin'), { recursive: true });
    fs.copyFileSync(path.join(unpacked, 'usr/bin/promtool'), cached);
    fs.chmodSync(cached, 0o755);
    return cached;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `promtool check rules` and `promtool test rules` on the PrometheusRule of deploy/base/monitoring:
 * its spec is the rule file (written to a scratch folder beside a copy of the test file).
 * Throws when promtool fails; returns promtool's output.
 */
export function testAlertRules({ log = (/** @type {string} */ m) => console.log(m) } = {}) {
  const promtool = ensurePromtool({ log });
  const rule = parse(fs.readFileSync(path.join(MONITORING, 'prometheus-rules.yaml'), 'utf8'));
  if (rule?.kind !== 'PrometheusRule') throw new Error('deploy/base/monitoring/prometheus-rules.yaml holds no PrometheusRule');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-rules-'));
  try {
    fs.writeFileSync(path.join(work, 'prometheus-rules.rules.yaml'), stringify(rule.spec, { lineWidth: 0 }));
    fs.copyFileSync(path.join(MONITORING, 'prometheus-rules.test.yaml'), path.join(work, 'prometheus-rules.test.yaml'));
    let output = '';
    for (const args of [
      ['check', 'rules', 'prometheus-rules.rules.yaml'],
      ['test', 'rules', 'prometheus-rules.test.yaml'],
    ]) {
      const run = spawnSync(promtool, args, { cwd: work, encoding: 'utf8' });
      output += `$ promtool ${args.join(' ')}\n${run.stdout}${run.stderr}`;
      if (run.status !== 0) throw new Error(`promtool ${args.join(' ')} failed:\n${run.stdout}${run.stderr}`);
    }
    return output;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const command = process.argv[2] ?? 'test';
  try {
    if (command === 'path') console.log(ensurePromtool({ log: (m) => console.error(m) }));
    else if (command === 'test') console.log(testAlertRules());
    else throw new Error('usage: node tools/stack/promtool.mjs test | path');
  } catch (error) {
    console.error(/** @type {Error} */ (error).message);
    process.exit(1);
  }
}
