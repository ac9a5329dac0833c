import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { onDatabaseServer, testDatabaseUrl } from '@wt/testing';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contactSealerOf, keyVaultOf, migrateVault, vaultDataSource } from './vault.module';

class VaultConfig extends withKeyVault(ServiceEnv) {}

const SCRIPT = path.resolve(__dirname, '../../../../tools/stack/vault-backup.mjs');

/** The runbook's backup and restore (docs/runbook.md), on the real Postgres, with the real script. */
describe('key vault backup and restore', () => {
  const database = `wt_it_vault_bk_${randomUUID().slice(0, 8)}`;
  const adminUrl = testDatabaseUrl('vault');
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const kek = randomBytes(32).toString('base64');
  const config = loadConfig(VaultConfig, { VAULT_DATABASE_URL: url.toString(), VAULT_KEK: kek, VAULT_CACHE_TTL_MS: '0' });
  const dir = mkdtempSync(path.join(tmpdir(), 'vault-backup-'));
  const file = path.join(dir, 'vault.dump');

  const admin = (sql: string) => onDatabaseServer(adminUrl, sql);
  function script(...args: string[]): Record<string, unknown> {
    const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`vault-backup.mjs ${args[0]} failed: ${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
  }
  async function sealerSession() {
    const dataSource = vaultDataSource(config, 'vault-backup-it');
    await dataSource.initialize();
    await migrateVault(dataSource);
    return { dataSource, sealer: contactSealerOf(keyVaultOf(dataSource, config), config) };
  }

  beforeAll(() => admin(`CREATE DATABASE ${database}`));
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up, loses the database, restores it, and opens a number sealed before the loss', async () => {
    const people = Array.from({ length: 50 }, () => randomBytes(32).toString('hex'));
    const before = await sealerSession();
    const sealed = await before.sealer.sealAll(people.map((personId, n) => ({ personId, e164: `+3361234${String(5000 + n)}` })));
    await before.dataSource.destroy();

    const backup = script('backup', url.toString(), file);
    expect(backup).toMatchObject({ action: 'backup', personKeys: 50 });
    expect(script('verify', file)['tables']).toContain('person_key');

    // The loss: the database is gone, and with it every key.
    await admin(`DROP DATABASE ${database} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${database}`);
    const lost = await sealerSession();
    // Unreadable, exactly as an erased person's number: no key, no number.
    expect(await lost.sealer.open(sealed[7] as string, { fresh: true })).toEqual({ ok: false, reason: 'erased' });
    await lost.dataSource.destroy();

    // The restore, into an empty database as the runbook says.
    await admin(`DROP DATABASE ${database} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${database}`);
    expect(script('restore', url.toString(), file)).toMatchObject({ action: 'restore', personKeys: 50 });
    const after = await sealerSession();
    try {
      const opened = await after.sealer.openAll(sealed, { fresh: true });
      expect(opened.map((o) => (o.ok ? o.e164 : o.reason))).toEqual(people.map((_, n) => `+3361234${String(5000 + n)}`));
    } finally {
      await after.dataSource.destroy();
    }
  });
});
