import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { ContactSealer, KeyEncryptionKeys } from '@wt/identity';
import { onDatabaseServer, testDatabaseUrl } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { PostgresKeyVault } from './postgres-key-vault';
import { PostgresPersonIdentifiers } from './postgres-person-identifiers';
import { migrateVault, VAULT_MIGRATIONS, vaultDataSource } from './vault.module';

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

  beforeAll(() => onDatabaseServer(adminUrl, `CREATE DATABASE ${database}`));

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.destroy()));
    await onDatabaseServer(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('migrates once when several services boot together', async () => {
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    await Promise.all([migrateVault(a as DataSource), migrateVault(b as DataSource), migrateVault(c as DataSource)]);
    const rows = (await (a as DataSource).query(`SELECT name FROM migrations`)) as { name: string }[];
    expect(rows.map((r) => r.name)).toEqual(VAULT_MIGRATIONS.map((m) => m.name));
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

  it('identifier links: a BSUID moves to the latest person seen with it, a moved address is found, and destroy deletes the links with the keys', async () => {
    const ds = await connect();
    const vault = new PostgresKeyVault(ds, new KeyEncryptionKeys(kek));
    const sealer = new ContactSealer(vault, { cacheTtlMs: 0 });
    const links = new PostgresPersonIdentifiers(ds);
    const [alone, withNumber] = [person(), person()];
    const digest = randomBytes(32).toString('hex');
    const [s1, s2, moved] = await sealer.sealAll([
      { personId: alone, e164: 'FR.8811223344' },
      { personId: withNumber, e164: 'FR.8811223344' },
      { personId: withNumber, e164: '+33698765432' },
    ]);
    await links.link([{ digest, kind: 'bsuid', personId: alone, sealed: s1 as string, usernameSealed: 'u' }]);
    expect(await links.resolve([digest])).toEqual(new Map([[digest, alone]]));
    await links.link([{ digest, kind: 'bsuid', personId: withNumber, sealed: s2 as string }]);
    expect(await links.resolve([digest])).toEqual(new Map([[digest, withNumber]]));
    // Moved to another person, the username recorded for the first one does not follow.
    expect(await links.heldBy(withNumber)).toEqual([expect.objectContaining({ kind: 'bsuid', usernameHeld: false, replacedAt: null })]);
    // No replaced identifier: no moved address. Once the BSUID is replaced by a new number, that number is where to send.
    expect(await links.movedAddresses([withNumber])).toEqual(new Map());
    const phoneDigest = randomBytes(32).toString('hex');
    await links.link([{ digest: phoneDigest, kind: 'phone', personId: withNumber, sealed: moved as string }]);
    await links.replaced([digest]);
    expect(await links.movedAddresses([withNumber, alone])).toEqual(new Map([[withNumber, moved]]));
    expect(await vault.destroy([withNumber])).toBe(1);
    expect(await links.resolve([digest, phoneDigest])).toEqual(new Map());
    expect(await links.heldBy(withNumber)).toEqual([]);
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
