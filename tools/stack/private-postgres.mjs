// A throwaway PostgreSQL cluster of our own, for runs that must stop and restart the database
// (the fault run) on a machine where the default cluster serves others: stopping that one would
// break their work, stopping this one breaks only ours.
//
//   const pg = await startPrivatePostgres({ port: 26432 });  // -> { url, dataDir, port }
//   await restartPrivatePostgres(pg, { downMs: 5000 });      // fast stop, a pause, start
//   await stopPrivatePostgres(pg);                            // stops and deletes the cluster
//
// The binaries are the machine's (Debian's /usr/lib/postgresql/<version>/bin); the cluster runs as
// the `postgres` user when we are root (initdb refuses root), on 127.0.0.1 only, trust auth.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

function binDir() {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(root, v, 'bin')).find((d) => fs.existsSync(path.join(d, 'pg_ctl')));
  if (!found) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql (apt install postgresql)');
  return found;
}

/** @typedef {{dataDir: string, port: number, url: string, logFile: string}} PrivateCluster */

/**
 * Runs a PostgreSQL binary, as the postgres user when we are root.
 * @param {string} name
 * @param {string[]} args
 */
function pgBin(name, args) {
  const bin = path.join(binDir(), name);
  const asRoot = os.userInfo().uid === 0;
  const result = asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' })
    : spawnSync(bin, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** @param {string} url */
async function waitAnswering(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline)
        throw new Error(`private PostgreSQL did not answer within ${timeoutMs} ms: ${/** @type {Error} */ (error).message}`);
      await sleep(250);
    }
  }
}

/**
 * Creates a fresh cluster under the cache directory and starts it on 127.0.0.1:`port`.
 * @param {{port: number, name?: string}} options
 * @returns {Promise<PrivateCluster>}
 */
export async function startPrivatePostgres({ port, name = `private-${port}` }) {
  // Under the temporary directory, not the cache: the postgres user must reach it (root's home is closed).
  const dataDir = path.join(os.tmpdir(), 'wt-postgres', name);
  const base = { dataDir, port, url: `postgres://postgres@127.0.0.1:${port}/postgres`, logFile: path.join(os.tmpdir(), `wt-${name}.log`) };
  // A cluster left by an interrupted run is stopped and replaced: every run starts empty.
  if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
    try {
      pgBin('pg_ctl', ['-D', dataDir, 'stop', '-m', 'immediate', '-w']);
    } catch {
      // not running: the pid file is stale
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  if (os.userInfo().uid === 0) spawnSync('chown', ['-R', 'postgres:postgres', dataDir]);
  fs.writeFileSync(base.logFile, '');
  if (os.userInfo().uid === 0) spawnSync('chown', ['postgres:postgres', base.logFile]);
  pgBin('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  await startCluster(base);
  return base;
}

/** @param {PrivateCluster} cluster */
async function startCluster(cluster) {
  pgBin('pg_ctl', [
    '-D',
    cluster.dataDir,
    '-l',
    cluster.logFile,
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${cluster.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300 -c fsync=on`,
    'start',
  ]);
  await waitAnswering(cluster.url);
}

/**
 * Stops the cluster the way an outage does (fast shutdown: connections cut), waits, starts it.
 * @param {PrivateCluster} cluster
 */
export async function restartPrivatePostgres(cluster, { downMs = 5000 } = {}) {
  pgBin('pg_ctl', ['-D', cluster.dataDir, 'stop', '-m', 'fast', '-w']);
  await sleep(downMs);
  await startCluster(cluster);
}

/**
 * Stops the cluster and deletes its files.
 * @param {PrivateCluster} cluster
 */
export async function stopPrivatePostgres(cluster) {
  try {
    pgBin('pg_ctl', ['-D', cluster.dataDir, 'stop', '-m', 'fast', '-w']);
  } finally {
    fs.rmSync(cluster.dataDir, { recursive: true, force: true });
  }
}
