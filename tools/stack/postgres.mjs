#!/usr/bin/env node
// PostgreSQL for development and tests: makes sure a server answers and the requested databases
// exist, and hands back one connection URL per database.
//
//   node tools/stack/postgres.mjs up [database ...]   # prints {"<db>": "<url>", ...}
//   node tools/stack/postgres.mjs down                # stops the cluster only if `up` started it
//   node tools/stack/postgres.mjs status
//
// Server: $DATABASE_URL (its database is used as the admin database), else
// postgres://postgres@127.0.0.1:5432/postgres. Without DATABASE_URL, a silent 127.0.0.1:5432 is
// fixed by starting the machine's Debian cluster (pg_ctlcluster ... main start), and that fact is
// recorded so `down` stops only a cluster that this script started.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stackCacheRoot } from './cache-dir.mjs';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_TIMEOUT_MS = 30_000;
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

function adminUrl(env = process.env) {
  return env.DATABASE_URL?.trim() || DEFAULT_ADMIN_URL;
}

function stateFile(env = process.env) {
  return path.join(stackCacheRoot(env), 'stack', 'postgres', 'started-by-us.json');
}

/**
 * The URL with its password hidden, for messages.
 * @param {string} url
 */
function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * The same server URL with another database (query parameters such as sslmode are kept).
 * @param {string} serverUrl
 * @param {string} database
 */
export function databaseUrl(serverUrl, database) {
  let u;
  try {
    u = new URL(serverUrl);
  } catch {
    throw new Error(`DATABASE_URL is not a valid URL: ${redact(serverUrl)}`);
  }
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/**
 * Database names become SQL identifiers: allow only plain lower-case ones.
 * @param {unknown} name
 */
function assertDatabaseName(name) {
  if (typeof name !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`Invalid database name ${JSON.stringify(name)}: use lower-case letters, digits and _ (max 63)`);
  }
}

/**
 * Runs `fn` with a connected client, closed afterwards.
 * @template T
 * @param {string} url
 * @param {(client: pg.Client) => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withClient(url, fn, connectTimeoutMs = 3000) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * null if the server accepts a connection and `SELECT 1`, else the error.
 * @param {string} url
 * @returns {Promise<Error | null>} why the server does not answer (null when it does)
 */
async function probe(url) {
  try {
    await withClient(url, (c) => c.query('SELECT 1'));
    return null;
  } catch (err) {
    return /** @type {Error} */ (err);
  }
}

/**
 * @param {string} url
 * @param {number} timeoutMs
 */
async function waitForServer(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const err = await probe(url);
    if (!err) return;
    if (Date.now() > deadline) {
      throw new Error(`PostgreSQL at ${redact(url)} did not accept connections within ${timeoutMs / 1000}s: ${err.message}`);
    }
    await sleep(500);
  }
}

/**
 * Runs a command; resolves with its exit code (-1 when it could not run) and combined output.
 * @param {string} cmd
 * @param {string[]} args
 * @returns {Promise<{code: number | null, out: string}>}
 */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (/** @type {NodeJS.ErrnoException} */ err) =>
      resolve({ code: -1, out: err.code === 'ENOENT' ? `${cmd} not found on PATH` : err.message }),
    );
    child.on('close', (code) => resolve({ code, out: out.trim() }));
  });
}

/** The machine's Debian cluster version (newest directory in /etc/postgresql). */
function localClusterVersion() {
  /** @type {string[]} */
  let versions;
  try {
    versions = fs.readdirSync('/etc/postgresql').filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    versions = [];
  }
  if (!versions.length) return null;
  return versions.sort((a, b) => Number(b) - Number(a))[0];
}

/**
 * Starts the local `main` cluster; resolves true if this call started it.
 * @param {(message: string) => void} log
 */
async function startLocalCluster(log) {
  const version = localClusterVersion();
  if (!version) {
    throw new Error(
      'PostgreSQL does not answer on 127.0.0.1:5432 and no local cluster exists (/etc/postgresql is empty). ' +
        'Install PostgreSQL or set DATABASE_URL.',
    );
  }
  log(`PostgreSQL is not answering; starting cluster ${version}/main with pg_ctlcluster`);
  const res = await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  if (res.code === 0) {
    fs.mkdirSync(path.dirname(stateFile()), { recursive: true });
    fs.writeFileSync(stateFile(), JSON.stringify({ version, cluster: 'main', startedAt: new Date().toISOString() }));
    return true;
  }
  // Exit 2 = "Cluster is already running" (e.g. a parallel `up` won the race): not ours to stop.
  if (/already running/i.test(res.out)) return false;
  throw new Error(`pg_ctlcluster ${version} main start failed (exit ${res.code}): ${res.out}`);
}

/**
 * Drops these databases (connections to them are ended first); `ensurePostgres` creates them again
 * empty. For the bench, whose runs must not inherit earlier runs' campaigns and audiences.
 * @param {string[]} databases
 */
export async function dropDatabases(databases) {
  databases.forEach(assertDatabaseName);
  await ensurePostgres(); // starts the machine's server when it is ours and down
  const url = adminUrl();
  await withClient(url, async (client) => {
    for (const name of databases) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`); // name validated above
  });
}

/**
 * Makes sure PostgreSQL answers and each database in `databases` exists.
 * @param {{databases?: string[], timeoutMs?: number, log?: (msg: string) => void}} [opts]
 * @returns {Promise<Record<string, string>>} database name -> connection URL (same server)
 */
export async function ensurePostgres({ databases = [], timeoutMs = DEFAULT_TIMEOUT_MS, log = () => {} } = {}) {
  databases.forEach(assertDatabaseName);
  const url = adminUrl();
  const fromEnv = Boolean(process.env.DATABASE_URL?.trim());

  const err = await probe(url);
  if (err) {
    // Only the machine's own default server is ours to start; a DATABASE_URL server may still be
    // booting (CI service), so just wait for it.
    if (fromEnv) log(`Waiting for DATABASE_URL server ${redact(url)} (${err.message})`);
    else await startLocalCluster(log);
    await waitForServer(url, timeoutMs);
  }

  /** @type {Record<string, string>} */
  const urls = {};
  await withClient(url, async (client) => {
    for (const name of databases) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) {
        try {
          await client.query(`CREATE DATABASE "${name}"`); // name validated above
          log(`Created database ${name}`);
        } catch (caught) {
          const e = /** @type {Error & {code?: string}} */ (caught);
          // 42P04 duplicate_database / 23505 unique_violation: created concurrently, fine.
          if (e.code !== '42P04' && e.code !== '23505') {
            throw new Error(`Could not create database ${name} on ${redact(url)}: ${e.message}`);
          }
        }
      }
      urls[name] = databaseUrl(url, name);
    }
  });
  return urls;
}

/**
 * Stops the local cluster only if ensurePostgres started it (recorded in the state dir).
 * @returns {Promise<{stopped: boolean, reason?: string}>}
 */
/** @param {{log?: (message: string) => void}} [options] */
export async function stopPostgres({ log = () => {} } = {}) {
  const file = stateFile();
  let state;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    log('PostgreSQL was not started by this script; leaving it alone');
    return { stopped: false, reason: 'not started by this script' };
  }
  const res = await run('pg_ctlcluster', ['--skip-systemctl-redirect', state.version, state.cluster, 'stop']);
  fs.rmSync(file, { force: true });
  if (res.code !== 0 && !/not running/i.test(res.out)) {
    throw new Error(`pg_ctlcluster ${state.version} ${state.cluster} stop failed (exit ${res.code}): ${res.out}`);
  }
  log(`Stopped PostgreSQL cluster ${state.version}/${state.cluster}`);
  return { stopped: true };
}

/** Whether the server answers, and whether this script started it. */
export async function postgresStatus() {
  const url = adminUrl();
  const err = await probe(url);
  return { url: redact(url), answering: !err, error: err?.message ?? null, startedByUs: fs.existsSync(stateFile()) };
}

/** @param {string[]} argv */
async function main([cmd, ...args]) {
  const log = (/** @type {string} */ m) => console.error(`[postgres] ${m}`);
  switch (cmd) {
    case 'up':
      console.log(JSON.stringify(await ensurePostgres({ databases: args, log }), null, 2));
      return 0;
    case 'down':
      console.log(JSON.stringify(await stopPostgres({ log })));
      return 0;
    case 'status': {
      const st = await postgresStatus();
      console.log(JSON.stringify(st, null, 2));
      return st.answering ? 0 : 3;
    }
    default:
      console.error('usage: node tools/stack/postgres.mjs up [database ...] | down | status\n  env: DATABASE_URL, WT_CACHE_DIR');
      return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`[postgres] ${err.message}`);
      process.exit(1);
    },
  );
}
