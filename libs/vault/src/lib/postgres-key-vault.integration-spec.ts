import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { ContactSealer, KeyEncryptionKeys } from '@wt/identity';
import { testDatabaseUrl } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { PostgresKeyVault } from './postgres-key-vault';
import { migrateVault, vaultDataSource } from './vault.module';

class VaultConfig extends withKeyVault(ServiceEnv) {}

/** The key vault on the real Postgres, in a scratch database of its own. */
describe('PostgresKeyVault', () => {
  const database = `wt_it_vault_${randomUUID().slice(0, 8)}`;
  const adminUrl = testDatabaseUrl('vault');
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const kek = randomBytes(32).toString('base64');
  const config = (env: Record<string, string> = {}) =>
    loadConfig(VaultConfig, { VAULT_DATABASE_URL: url.toString(), VAULT_KEK: kek, ...env });
  const person = () => randomBytes(32).toString('hex');
  const sources: DataSource[] = [];

  async function connect(): Promise<DataSource> {
    const ds = vaultDataSource(config(), 'vault-it');
    await ds.initialize();
    sources.push(ds);
    return ds;
  }

  beforeAll(async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.destroy()));
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('migrates once when several services boot together', async () => {
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    await Promise.all([migrateVault(a as DataSource), migrateVault(b as DataSource), migrateVault(c as DataSource)]);
    const rows = (await (a as DataSource).query(`SELECT name FROM migrations`)) as { name: string }[];
    expect(rows.map((r) => r.name)).toEqual(['PersonKeys1764806400000']);
  });

  it('gets or creates the keys of a batch in one statement, the same keys for concurrent callers, stored only wrapped', async () => {
    const ds = await connect();
    const keks = new KeyEncryptionKeys(kek);
    const [one, two] = [new PostgresKeyVault(ds, keks), new PostgresKeyVault(await connect(), keks)];
    const ids = Array.from({ length: 200 }, person);
    const queries: string[] = [];
    const query = ds.query.bind(ds);
    ds.query = ((sql: string, params?: unknown[]) => (queries.push(sql), query(sql, params))) as typeof ds.query;
    const [a, b] = await Promise.all([one.keysFor(ids), two.keysFor([...ids].reverse())]);
    expect(queries.length).toBeLessThanOrEqual(2); // one, plus one only if the other caller won some inserts
    const byId = new Map(b.map((k) => [k.personId, k]));
    expect(a).toHaveLength(200);
    for (const key of a) {
      expect(byId.get(key.personId)?.version).toBe(key.version);
      expect(byId.get(key.personId)?.key.equals(key.key)).toBe(true);
    }
    const [row] = (await query(`SELECT wrapped_key FROM person_key WHERE person_id = $1`, [a[0]?.personId])) as { wrapped_key: Buffer }[];
    expect(row?.wrapped_key.includes(a[0]?.key as Buffer)).toBe(false);
  });

  it('destroy makes the sealed values open as erased; a returning person gets a new version', async () => {
    const vault = new PostgresKeyVault(await connect(), new KeyEncryptionKeys(kek));
    const sealer = new ContactSealer(vault, { cacheTtlMs: 0 });
    const [gone, kept] = [person(), person()];
    const [a, b] = await sealer.sealAll([
      { personId: gone, e164: '+33612345678' },
      { personId: kept, e164: '+33698765432' },
    ]);
    expect(await vault.destroy([gone])).toBe(1);
    expect(await sealer.openAll([a as string, b as string])).toEqual([
      { ok: false, reason: 'erased' },
      { ok: true, e164: '+33698765432' },
    ]);
    const again = await sealer.seal(gone, '+33612345678');
    expect(Number(again.split('.')[2])).toBeGreaterThan(Number((a as string).split('.')[2]));
    expect(await sealer.open(a as string)).toEqual({ ok: false, reason: 'erased' });
  });

  it('rotates the KEK: re-wraps every key, and the sealed values still open under the new KEK alone', async () => {
    const ds = await connect();
    const before = new PostgresKeyVault(ds, new KeyEncryptionKeys(kek));
    const ids = Array.from({ length: 30 }, person);
    const sealed = await new ContactSealer(before).sealAll(ids.map((personId) => ({ personId, e164: '+33612345678' })));
    const newKek = randomBytes(32).toString('base64');
    const during = new PostgresKeyVault(ds, new KeyEncryptionKeys(newKek, [kek]));
    let total = 0;
    for (let n = await during.rewrap(7); n > 0; n = await during.rewrap(7)) total += n;
    expect(total).toBeGreaterThanOrEqual(30);
    expect(Object.keys(await during.countByKek())).toEqual([new KeyEncryptionKeys(newKek).currentId]);
    const after = new ContactSealer(new PostgresKeyVault(ds, new KeyEncryptionKeys(newKek)));
    expect((await after.openAll(sealed)).every((o) => o.ok && o.e164 === '+33612345678')).toBe(true);
  });
});
