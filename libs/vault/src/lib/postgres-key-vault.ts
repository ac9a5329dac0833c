import { type KeyEncryptionKeys, type PersonKey, type PersonKeyStore } from '@wt/identity';
import { counter, histogram } from '@wt/observability';
import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';

const roundTrips = counter({ name: 'wt_vault_round_trips_total', help: 'Key vault round trips, by operation', labelNames: ['op'] });
const seconds = histogram({
  name: 'wt_vault_seconds',
  help: 'Key vault round-trip time',
  labelNames: ['op'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
});

const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;

interface Row {
  person_id: string;
  version: string;
  wrapped_key: Buffer;
  kek_id: string;
}

/**
 * Per-person data keys in Postgres (`person_key` in the vault database), wrapped by the KEK from
 * configuration; opened keys exist only in the memory of the service that asked. A stand-in for a
 * KMS-backed vault (AWS KMS / GCP KMS / Vault transit would hold the KEK and unwrap): the
 * `PersonKeyStore` interface is what the services depend on.
 */
export class PostgresKeyVault implements PersonKeyStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keks: KeyEncryptionKeys,
  ) {}

  async keysFor(personIds: readonly string[]): Promise<PersonKey[]> {
    // Sorted, and inserted in that order: two callers creating overlapping keys then lock the
    // same rows in the same order, so they wait for each other instead of deadlocking.
    const ids = [...new Set(personIds)].sort();
    if (ids.length === 0) return [];
    const keys = await this.getOrCreate(ids);
    if (keys.length < ids.length) {
      // Another replica created some of these keys during our statement: read them (rare).
      const seen = new Set(keys.map((k) => k.personId));
      keys.push(...(await this.getOrCreate(ids.filter((id) => !seen.has(id)))));
    }
    return keys;
  }

  async findKeys(refs: readonly { personId: string; version: string }[]): Promise<PersonKey[]> {
    if (refs.length === 0) return [];
    const wanted = new Set(refs.map((r) => `${r.personId}.${r.version}`));
    const rows = await this.timed('find', () =>
      this.dataSource.query(
        `SELECT person_id, version::text AS version, wrapped_key, kek_id FROM person_key WHERE person_id = ANY($1::char(64)[])`,
        [[...new Set(refs.map((r) => r.personId))]],
      ),
    );
    return (rows as Row[]).filter((r) => wanted.has(`${r.person_id}.${r.version}`)).map((r) => this.unwrap(r));
  }

  async destroy(personIds: readonly string[]): Promise<number> {
    if (personIds.length === 0) return 0;
    // The person's identifier links (BSUIDs, usernames: sealed under these keys) go with the keys.
    const result = await this.timed('destroy', () =>
      this.dataSource.query(
        `WITH links AS (DELETE FROM person_identifier WHERE person_id = ANY($1::char(64)[]))
         DELETE FROM person_key WHERE person_id = ANY($1::char(64)[]) RETURNING person_id`,
        [[...new Set(personIds)]],
      ),
    );
    const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as unknown[];
    return rows.length;
  }

  /**
   * KEK rotation: re-wraps up to `batch` keys still under an older KEK with the current one
   * (the data keys, hence every sealed value, do not change). Returns how many were re-wrapped;
   * run until 0, then the previous KEK can be removed from configuration.
   */
  async rewrap(batch = 1000): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT person_id, version::text AS version, wrapped_key, kek_id FROM person_key WHERE kek_id <> $1 LIMIT $2`,
      [this.keks.currentId, batch],
    )) as Row[];
    if (rows.length === 0) return 0;
    const rewrapped = rows.map((r) => this.keks.wrap(this.unwrap(r).key, r.person_id));
    await this.dataSource.query(
      `UPDATE person_key k SET wrapped_key = t.wrapped, kek_id = $4
       FROM unnest($1::char(64)[], $2::bigint[], $3::bytea[]) AS t(person_id, version, wrapped)
       WHERE k.person_id = t.person_id AND k.version = t.version`,
      [rows.map((r) => r.person_id), rows.map((r) => r.version), rewrapped, this.keks.currentId],
    );
    return rows.length;
  }

  /** Keys still wrapped by each KEK id (for the rotation runbook). */
  async countByKek(): Promise<Record<string, number>> {
    const rows = (await this.dataSource.query(`SELECT kek_id, count(*)::int AS n FROM person_key GROUP BY kek_id`)) as {
      kek_id: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.kek_id, r.n]));
  }

  /**
   * One statement: inserts a new wrapped key for each person without one, returns everyone's key.
   * The new data keys and their IVs come from one CSPRNG draw for the batch (a call per key cost
   * ≈ 2 % of ingest's CPU), and a key this call created is returned as generated, not unwrapped again.
   */
  private async getOrCreate(ids: string[]): Promise<PersonKey[]> {
    const random = randomBytes(ids.length * (DATA_KEY_BYTES + IV_BYTES));
    const generated = new Map<string, { key: Buffer; wrapped: Buffer }>();
    const wrapped = ids.map((id, i) => {
      const at = i * (DATA_KEY_BYTES + IV_BYTES);
      const key = Buffer.from(random.subarray(at, at + DATA_KEY_BYTES));
      const sealed = this.keks.wrap(key, id, random.subarray(at + DATA_KEY_BYTES, at + DATA_KEY_BYTES + IV_BYTES));
      generated.set(id, { key, wrapped: sealed });
      return sealed;
    });
    const rows = (await this.timed('get_or_create', () =>
      this.dataSource.query(
        `WITH input AS (SELECT * FROM unnest($1::char(64)[], $2::bytea[]) AS t(person_id, wrapped_key)),
         created AS (
           INSERT INTO person_key (person_id, wrapped_key, kek_id) SELECT person_id, wrapped_key, $3 FROM input ORDER BY person_id
           ON CONFLICT (person_id) DO NOTHING
           RETURNING person_id, version::text AS version, wrapped_key, kek_id)
         SELECT * FROM created
         UNION ALL
         SELECT k.person_id, k.version::text, k.wrapped_key, k.kek_id FROM person_key k JOIN input USING (person_id)`,
        [ids, wrapped, this.keks.currentId],
      ),
    )) as Row[];
    return rows.map((row) => {
      const mine = generated.get(row.person_id);
      // Our own wrapped bytes (random IV: no other caller's can be equal) under the current KEK: the key we generated.
      if (mine && row.kek_id === this.keks.currentId && mine.wrapped.equals(row.wrapped_key)) {
        return { personId: row.person_id, version: row.version, key: mine.key };
      }
      return this.unwrap(row);
    });
  }

  private unwrap(row: Row): PersonKey {
    return { personId: row.person_id, version: row.version, key: this.keks.unwrap(row.wrapped_key, row.kek_id, row.person_id) };
  }

  private async timed<T>(op: string, run: () => Promise<T>): Promise<T> {
    roundTrips.inc({ op });
    const end = seconds.startTimer({ op });
    try {
      return await run();
    } finally {
      end();
    }
  }
}
