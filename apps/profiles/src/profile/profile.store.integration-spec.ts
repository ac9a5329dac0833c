import { type ConsentNormalizedV1, type EngagementNormalizedV1 } from '@wt/contracts';
import { postgresOptions } from '@wt/database';
import { testDatabaseUrl } from '@wt/testing';
import { randomBytes } from 'node:crypto';
import { type PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PROFILES_ENTITIES, PROFILES_MIGRATIONS } from '../app.module';
import { InterestDecay } from './interest-decay';
import { applyEngagement } from './profile-state';
import { ProfileStore } from './profile.store';

const personId = () => randomBytes(32).toString('hex');

function event(person: string, key: string, occurredAt: string): EngagementNormalizedV1 {
  return {
    dedupeKey: `instagram:${key}`,
    personId: person,
    contact: 'v1.aaaa.bbbb.cccc',
    source: 'instagram',
    type: 'click',
    occurredAt,
    categories: ['shoes'],
    country: 'FR',
    ingestedAt: occurredAt,
  };
}

/** A normalized consent of `p` to acme's WhatsApp marketing. */
const consent = (p: string, status: 'granted' | 'revoked', occurredAt: string, source = 'web-form'): ConsentNormalizedV1 => ({
  personId: p,
  contact: 'v1.aaaa.bbbb.cccc',
  purpose: 'whatsapp_marketing',
  businessId: 'acme',
  status,
  occurredAt,
  source,
  country: 'FR',
});

/**
 * A store on its own data source (migrated before the suite, destroyed after it), with pipelined
 * connections as the service's (app.module) or without, each statement waiting for the previous one.
 */
function storeOn(options: { pipeline: boolean; applicationName: string }): { dataSource: DataSource; store: ProfileStore } {
  const dataSource = new DataSource(
    postgresOptions({
      url: testDatabaseUrl('profiles'),
      entities: PROFILES_ENTITIES,
      migrations: PROFILES_MIGRATIONS,
      runMigrations: false,
      ...options,
    }),
  );
  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    await dataSource.destroy();
  });
  return { dataSource, store: new ProfileStore(dataSource) };
}

describe('ProfileStore on the real Postgres', () => {
  // Pipelined connections, as the service's: a batch's statements go out together.
  const { dataSource, store } = storeOn({ pipeline: true, applicationName: 'profiles-it' });
  const decay = new InterestDecay(24);

  it('has its schema from migrations, recorded in the migrations table', async () => {
    const rows: { name: string }[] = await dataSource.query('SELECT name FROM migrations');
    expect(rows.map((r) => r.name)).toContain('InitialSchema1764374400000');
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('gets pipelined connections from postgresOptions({ pipeline: true }) through TypeORM, as the service', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      expect(((await runner.connect()) as PoolClient).pipeline).toBe(true);
    } finally {
      await runner.release();
    }
  });

  it('claims an event once: a replay is recognised', async () => {
    const p = personId();
    const events = [event(p, `${p}-1`, '2026-11-28T10:00:00Z'), event(p, `${p}-2`, '2026-11-28T11:00:00Z')];
    const first = await store.transaction((m) => store.claimEvents(m, events));
    const again = await store.transaction((m) => store.claimEvents(m, events));
    expect(first.size).toBe(2);
    expect(again.size).toBe(0);
  });

  it('saves and reloads a profile with its interests and counters', async () => {
    const p = personId();
    await store.transaction(async (m) => {
      const profiles = await store.lockProfiles(m, [p]);
      const updated = applyEngagement(profiles.get(p)!, [event(p, `${p}-a`, '2026-11-28T10:00:00Z')], decay);
      await store.saveProfiles(m, [updated]);
    });
    const reloaded = await store.transaction((m) => store.lockProfiles(m, [p]));
    expect(reloaded.get(p)).toMatchObject({ interests: { shoes: 4 }, totalEvents: 1, country: 'FR', timeZone: 'Europe/Paris', version: 1 });
  });

  it('keeps the latest consent choice whatever the arrival order, and the whole ledger', async () => {
    const p = personId();
    await store.transaction((m) => store.recordConsents(m, [consent(p, 'revoked', '2026-11-28T12:00:00Z')]));
    await store.transaction((m) => store.recordConsents(m, [consent(p, 'granted', '2026-11-28T09:00:00Z')]));
    await store.transaction((m) => store.recordConsents(m, [consent(p, 'granted', '2026-11-28T09:00:00Z')])); // replay
    const state = await store.transaction((m) => store.consentsOf(m, [p]));
    expect(state).toEqual([{ personId: p, purpose: 'whatsapp_marketing', businessId: 'acme', status: 'revoked' }]);
    const ledger: { n: string }[] = await dataSource.query('SELECT count(*) AS n FROM consent_ledger WHERE person_id = $1', [p]);
    expect(Number(ledger[0].n)).toBe(2);
  });
  it("serialises two batches building the same new profile: the second sees the first one's result", async () => {
    const p = personId();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstLocked!: () => void;
    const locked = new Promise<void>((resolve) => (firstLocked = resolve));
    const first = store.transaction(async (m) => {
      const profiles = await store.lockProfiles(m, [p]);
      firstLocked();
      await held;
      await store.saveProfiles(m, [applyEngagement(profiles.get(p)!, [event(p, `${p}-x`, '2026-11-28T10:00:00Z')], decay)]);
    });
    await locked;
    let secondSaw: number | undefined;
    const second = store.transaction(async (m) => {
      secondSaw = (await store.lockProfiles(m, [p])).get(p)!.totalEvents;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondSaw).toBeUndefined();
    release();
    await Promise.all([first, second]);
    expect(secondSaw).toBe(1);
  });

  describe('writeConsents (a consent batch in two round trips)', () => {
    const profileOf = async (p: string) => (await store.transaction((m) => store.lockProfiles(m, [p]))).get(p)!;
    const ledgerOf = async (p: string): Promise<string[]> =>
      (
        (await dataSource.query(`SELECT status FROM consent_ledger WHERE person_id = $1 ORDER BY occurred_at`, [p])) as { status: string }[]
      ).map((r) => r.status);

    it("records the ledger and the latest choice, fills the profile's contact and time zone, and passes both to beforeCommit", async () => {
      const p = personId();
      const seen: { versions: number[]; consents: string[] }[] = [];
      // A source with a quote and a backslash travels as a bind parameter: it must come back as it went.
      const batch = [consent(p, 'granted', '2026-11-28T09:00:00Z', `it's a\\form`), consent(p, 'revoked', '2026-11-28T12:00:00Z')];
      const profiles = await store.writeConsents(batch, async (written, consents) => {
        seen.push({ versions: written.map((x) => x.version), consents: (consents.get(p) ?? []).map((c) => `${c.businessId}:${c.status}`) });
      });
      expect(profiles.map((x) => x.personId)).toEqual([p]);
      expect(seen).toEqual([{ versions: [1], consents: ['acme:revoked'] }]);
      expect(await profileOf(p)).toMatchObject({ contact: 'v1.aaaa.bbbb.cccc', country: 'FR', timeZone: 'Europe/Paris', version: 1 });
      expect(await ledgerOf(p)).toEqual(['granted', 'revoked']);
      const sources: { source: string }[] = await dataSource.query(
        `SELECT source FROM consent_ledger WHERE person_id = $1 ORDER BY occurred_at`,
        [p],
      );
      expect(sources.map((r) => r.source)).toEqual([`it's a\\form`, 'web-form']);

      // An older choice arriving late goes to the ledger but does not move the state; a replay adds nothing.
      await store.writeConsents([consent(p, 'granted', '2026-11-28T10:00:00Z'), batch[1]], async () => undefined);
      expect(await store.transaction((m) => store.consentsOf(m, [p]))).toEqual([
        { personId: p, purpose: 'whatsapp_marketing', businessId: 'acme', status: 'revoked' },
      ]);
      expect(await ledgerOf(p)).toEqual(['granted', 'granted', 'revoked']);
      expect((await profileOf(p)).version).toBe(2);
    });

    it('records who asserted each change and how in the ledger (null when the record says nothing)', async () => {
      const p = personId();
      await store.writeConsents(
        [
          { ...consent(p, 'granted', '2026-11-28T09:00:00Z'), assertedVia: 'http_api', assertedBy: 'acme', assertedKeyId: 'AcmeKey0001x' },
          { ...consent(p, 'revoked', '2026-11-28T10:00:00Z'), assertedVia: 'whatsapp_webhook', assertedBy: 'dispatcher' },
          consent(p, 'granted', '2026-11-28T11:00:00Z'),
        ],
        async () => undefined,
      );
      expect(
        await dataSource.query(
          `SELECT asserted_via, asserted_by, asserted_key_id FROM consent_ledger WHERE person_id = $1 ORDER BY occurred_at`,
          [p],
        ),
      ).toEqual([
        { asserted_via: 'http_api', asserted_by: 'acme', asserted_key_id: 'AcmeKey0001x' },
        { asserted_via: 'whatsapp_webhook', asserted_by: 'dispatcher', asserted_key_id: null },
        { asserted_via: null, asserted_by: null, asserted_key_id: null },
      ]);
    });

    it("records nothing of an erased person's consents and writes no profile for them", async () => {
      const erased = personId();
      const kept = personId();
      await dataSource.query(`INSERT INTO erased_person (person_id, request_id, erased_at) VALUES ($1, 'it', now())`, [erased]);
      const profiles = await store.writeConsents(
        [consent(erased, 'granted', '2026-11-28T09:00:00Z'), consent(kept, 'granted', '2026-11-28T09:00:00Z')],
        async () => undefined,
      );
      expect(profiles.map((x) => x.personId)).toEqual([kept]);
      expect(await ledgerOf(erased)).toEqual([]);
      expect(await store.transaction((m) => store.consentsOf(m, [erased]))).toEqual([]);
      expect((await profileOf(erased)).version).toBe(0);
      expect(
        await store.writeConsents([consent(erased, 'revoked', '2026-11-28T10:00:00Z')], async () => {
          throw new Error('nothing to publish for an erased person');
        }),
      ).toEqual([]);
    });

    it('rolls the whole batch back when beforeCommit fails', async () => {
      const p = personId();
      await expect(
        store.writeConsents([consent(p, 'granted', '2026-11-28T09:00:00Z')], async () => {
          throw new Error('Kafka did not acknowledge');
        }),
      ).rejects.toThrow('Kafka did not acknowledge');
      expect(await ledgerOf(p)).toEqual([]);
      expect(await store.transaction((m) => store.consentsOf(m, [p]))).toEqual([]);
      expect((await profileOf(p)).version).toBe(0);
    });

    it('rolls the whole batch back when the profile upsert fails, though COMMIT was sent behind it', async () => {
      // Made to fail on purpose: a three-letter country does not fit person_profile.country (char(2)).
      // The COMMIT pipelined after the failed upsert ends an aborted transaction: it rolls back.
      const p = personId();
      await expect(
        store.writeConsents([{ ...consent(p, 'granted', '2026-11-28T09:00:00Z'), country: 'FRA' }], async () => undefined),
      ).rejects.toThrow('value too long for type character(2)');
      expect(await ledgerOf(p)).toEqual([]);
      expect(await store.transaction((m) => store.consentsOf(m, [p]))).toEqual([]);
      // The connection went back to the pool usable: the same person's next batch is written.
      expect((await store.writeConsents([consent(p, 'granted', '2026-11-28T09:00:00Z')], async () => undefined)).length).toBe(1);
      expect(await ledgerOf(p)).toEqual(['granted']);
    });
  });

  describe('writeEngagement (the engagement batch in two round trips)', () => {
    const profileOf = async (p: string) => (await store.transaction((m) => store.lockProfiles(m, [p]))).get(p)!;
    const daysOf = (p: string) => store.transaction((m) => store.dayBucketsOf(m, [p]));
    const claimed = async (keys: string[]): Promise<string[]> =>
      (
        (await dataSource.query(`SELECT dedupe_key FROM processed_event WHERE dedupe_key = ANY($1::text[]) ORDER BY dedupe_key`, [
          keys,
        ])) as { dedupe_key: string }[]
      ).map((r) => r.dedupe_key);

    it('applies new events once, counts a replay as a duplicate, adds to the day buckets, and passes consents to beforeCommit', async () => {
      const p = personId();
      // Keys and categories with quotes and backslashes travel as bind parameters (arrays, JSON documents):
      // they must come back as they went.
      const odd = `o'clock "x" \\y`;
      const first = [
        { ...event(p, `${p}-it's`, '2026-11-28T10:00:00Z'), categories: ['shoes', odd] },
        event(p, `${p}-back\\slash"quote`, '2026-11-28T11:00:00Z'),
      ];
      await store.transaction((m) =>
        store.recordConsents(m, [
          {
            personId: p,
            purpose: 'cross_app_profiling',
            status: 'granted',
            occurredAt: '2026-11-28T09:00:00Z',
            source: 'web',
            contact: 'v1.aaaa.bbbb.cccc',
          } as ConsentNormalizedV1,
        ]),
      );
      const seen: { profiles: number; consents: string[] }[] = [];
      const outcome = await store.writeEngagement(first, decay, async (profiles, consents) => {
        seen.push({ profiles: profiles.length, consents: (consents.get(p) ?? []).map((c) => `${c.purpose}:${c.status}`) });
      });
      expect(outcome).toMatchObject({ applied: 2, erased: 0, duplicates: 0, dayRows: 1 });
      expect(seen).toEqual([{ profiles: 1, consents: ['cross_app_profiling:granted'] }]);
      expect(await claimed(first.map((e) => e.dedupeKey))).toEqual(first.map((e) => e.dedupeKey).sort());

      const second = [...first, event(p, `${p}-3`, '2026-11-28T12:00:00Z'), event(p, `${p}-4`, '2026-11-29T08:00:00Z')];
      const again = await store.writeEngagement(second, decay, async () => undefined);
      expect(again).toMatchObject({ applied: 2, duplicates: 2, dayRows: 2 });
      const profile = await profileOf(p);
      expect(profile.totalEvents).toBe(4);
      expect(profile.version).toBe(2);
      expect(Object.keys(profile.interests).sort()).toEqual([odd, 'shoes']);
      const days = await daysOf(p);
      expect(days.map((d) => [d.day, d.totalEvents])).toEqual([
        ['2026-11-28', 3],
        ['2026-11-29', 1],
      ]);
      expect(Object.keys(days[0].interests).sort()).toEqual([odd, 'shoes']);

      const replay = await store.writeEngagement(second, decay, async () => {
        throw new Error('nothing new: no snapshot to publish');
      });
      expect(replay).toMatchObject({ applied: 0, duplicates: 4, profiles: [] });
      expect((await profileOf(p)).version).toBe(2);
    });

    it("drops an erased person's events without recording them as processed", async () => {
      const erased = personId();
      const kept = personId();
      await dataSource.query(`INSERT INTO erased_person (person_id, request_id, erased_at) VALUES ($1, 'it', now())`, [erased]);
      const events = [event(erased, `${erased}-1`, '2026-11-28T10:00:00Z'), event(kept, `${kept}-1`, '2026-11-28T10:00:00Z')];
      const outcome = await store.writeEngagement(events, decay, async () => undefined);
      expect(outcome).toMatchObject({ applied: 1, erased: 1, duplicates: 0 });
      expect(outcome.profiles.map((x) => x.personId)).toEqual([kept]);
      expect(await claimed(events.map((e) => e.dedupeKey))).toEqual([`instagram:${kept}-1`]);
      expect((await profileOf(erased)).version).toBe(0);
    });

    it('rolls the whole batch back when beforeCommit fails: the events are new again', async () => {
      const p = personId();
      const events = [event(p, `${p}-1`, '2026-11-28T10:00:00Z')];
      await expect(
        store.writeEngagement(events, decay, async () => {
          throw new Error('Kafka did not acknowledge');
        }),
      ).rejects.toThrow('Kafka did not acknowledge');
      expect(await claimed(events.map((e) => e.dedupeKey))).toEqual([]);
      expect(await daysOf(p)).toEqual([]);
      expect(await store.writeEngagement(events, decay, async () => undefined)).toMatchObject({ applied: 1 });
    });

    it("serialises two batches building the same new profile: the second adds to the first one's result", async () => {
      const p = personId();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let firstComputed!: () => void;
      const computed = new Promise<void>((resolve) => (firstComputed = resolve));
      const first = store.writeEngagement([event(p, `${p}-a`, '2026-11-28T10:00:00Z')], decay, async () => {
        firstComputed();
        await held;
      });
      await computed;
      let secondComputed = false;
      const second = store.writeEngagement([event(p, `${p}-b`, '2026-11-28T11:00:00Z')], decay, async () => {
        secondComputed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(secondComputed).toBe(false);
      release();
      await Promise.all([first, second]);
      const profile = await profileOf(p);
      expect(profile.totalEvents).toBe(2);
      expect(profile.version).toBe(2);
      expect((await daysOf(p)).map((d) => d.totalEvents)).toEqual([2]);
    });
  });
});

describe('ProfileStore on connections without pipelining', () => {
  const { store } = storeOn({ pipeline: false, applicationName: 'profiles-it-sequential' });

  it('writes the same batches, each statement waiting for the previous one', async () => {
    const p = personId();
    const events = [event(p, `${p}-1`, '2026-11-28T10:00:00Z'), event(p, `${p}-2`, '2026-11-29T10:00:00Z')];
    expect(await store.writeEngagement(events, new InterestDecay(24), async () => undefined)).toMatchObject({ applied: 2, dayRows: 2 });
    expect(await store.writeEngagement(events, new InterestDecay(24), async () => undefined)).toMatchObject({ applied: 0, duplicates: 2 });
    const [written] = await store.writeConsents([consent(p, 'granted', '2026-11-28T09:00:00Z')], async () => undefined);
    expect(written).toMatchObject({ personId: p, totalEvents: 2, timeZone: 'Europe/Paris', version: 2 });
  });
});
