#!/usr/bin/env node
// Backup and restore of the key vault (per-person data keys, wrapped by VAULT_KEK). Losing this
// database makes every sealed phone number unreadable; a backup without the KEK reveals nothing
// (every key in it is wrapped), so the KEK is kept apart, in the secret store (docs/runbook.md).
//
//   node tools/stack/vault-backup.mjs backup  <VAULT_DATABASE_URL> <file>   pg_dump, custom format, the whole vault database
//   node tools/stack/vault-backup.mjs restore <VAULT_DATABASE_URL> <file>   into an empty (or new) database: pg_restore --exit-on-error
//   node tools/stack/vault-backup.mjs verify  <file>                        lists the dump's tables (person_key must be there)
//
// Uses the PostgreSQL client tools on PATH (pg_dump/pg_restore of the server's major version or newer).
// Prints one JSON line: { action, file, bytes, personKeys?, seconds }.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * @param {string} name
 * @param {string[]} args
 */
function tool(name, args) {
  const result = spawnSync(name, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`${name} could not run (PostgreSQL client tools on PATH?): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${name} failed (exit ${result.status}): ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * The vault's person_key row count, through psql (a restore is checked, not assumed).
 * @param {string} url
 */
function personKeys(url) {
  return Number(tool('psql', ['--no-psqlrc', '-tA', '-d', url, '-c', 'SELECT count(*) FROM person_key']).trim());
}

/**
 * @param {string} url the vault database
 * @param {string} file where the dump goes
 */
export function backupVault(url, file) {
  const started = Date.now();
  // --no-owner/--no-privileges: restorable by another role into another cluster.
  tool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', '--file', file, '--dbname', url]);
  const listed = tool('pg_restore', ['--list', file]);
  if (!/TABLE DATA public person_key /.test(listed)) throw new Error(`${file}: the dump holds no person_key data`);
  return { action: 'backup', file, bytes: fs.statSync(file).size, personKeys: personKeys(url), seconds: (Date.now() - started) / 1000 };
}

/**
 * @param {string} url the vault database (empty or new)
 * @param {string} file a dump made by backupVault
 */
export function restoreVault(url, file) {
  const started = Date.now();
  tool('pg_restore', ['--exit-on-error', '--no-owner', '--no-privileges', '--single-transaction', '--dbname', url, file]);
  return { action: 'restore', file, bytes: fs.statSync(file).size, personKeys: personKeys(url), seconds: (Date.now() - started) / 1000 };
}

/** @param {string} file a dump made by backupVault */
export function verifyBackup(file) {
  const tables = [...tool('pg_restore', ['--list', file]).matchAll(/TABLE DATA public (\S+) /g)].map((m) => m[1]);
  if (!tables.includes('person_key')) throw new Error(`${file}: no person_key table data`);
  return { action: 'verify', file, bytes: fs.statSync(file).size, tables };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [action, ...args] = process.argv.slice(2);
  try {
    const out =
      action === 'backup' && args.length === 2
        ? backupVault(args[0], args[1])
        : action === 'restore' && args.length === 2
          ? restoreVault(args[0], args[1])
          : action === 'verify' && args.length === 1
            ? verifyBackup(args[0])
            : undefined;
    if (!out) {
      console.error('usage: vault-backup.mjs backup <VAULT_DATABASE_URL> <file> | restore <VAULT_DATABASE_URL> <file> | verify <file>');
      process.exit(2);
    }
    console.log(JSON.stringify(out));
  } catch (error) {
    console.error(`vault-backup: ${/** @type {Error} */ (error).message}`);
    process.exit(1);
  }
}
