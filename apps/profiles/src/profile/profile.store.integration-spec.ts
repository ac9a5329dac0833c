import { type ConsentNormalizedV1, type EngagementNormalizedV1 } from '@wt/contracts';
import { postgresOptions } from '@wt/database';
import { testDatabaseUrl } from '@wt/testing';
import { randomBytes } from 'node:crypto';
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

describe('ProfileStore on the real Postgres', () => {
  const dataSource = new DataSource(
    postgresOptions({
      url: testDatabaseUrl('profiles'),
      entities: PROFILES_ENTITIES,
      migrations: PROFILES_MIGRATIONS,
      runMigrations: false,
      applicationName: 'profiles-it',
    }),
  );
  const store = new ProfileStore(dataSource);
  const decay = new InterestDecay(24);

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('has its schema from migrations, recorded in the migrations table', async () => {
    const rows: { name: string }[] = await dataSource.query('SELECT name FROM migrations');
    expect(rows.map((r) => r.name)).toContain('InitialSchema1764374400000');
    expect(await dataSource.showMigrations()).toBe(false);
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
    const consent = (status: 'granted' | 'revoked', occurredAt: string): ConsentNormalizedV1 => ({
      personId: p,
      contact: 'v1.aaaa.bbbb.cccc',
      purpose: 'whatsapp_marketing',
      businessId: 'acme',
      status,
      occurredAt,
      source: 'web-form',
    });
    await store.transaction((m) => store.recordConsents(m, [consent('revoked', '2026-11-28T12:00:00Z')]));
    await store.transaction((m) => store.recordConsents(m, [consent('granted', '2026-11-28T09:00:00Z')]));
    await store.transaction((m) => store.recordConsents(m, [consent('granted', '2026-11-28T09:00:00Z')])); // replay
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
});
