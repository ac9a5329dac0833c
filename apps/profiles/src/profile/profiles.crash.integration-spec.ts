import { type ConsentNormalizedV1, ENGAGEMENT_TYPES, type EngagementNormalizedV1, Topic, usableInterests } from '@wt/contracts';
import { type ProfileState } from '@wt/profile-model';
import { eventually, sleep, testBrokers, TopicProbe } from '@wt/testing';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { expectProfileLike, expectScoresClose, ProfilesTestBed } from '../testing/profiles-test-bed';
import { InterestDecay } from './interest-decay';
import { applyEngagement, emptyProfile } from './profile-state';

/**
 * Exactly-once effect (issue 3, points 6 and 7), on the real broker and Postgres: the built
 * profiles service runs as a child process on its own database and consumer group; it is killed
 * with SIGKILL several times while it works through the events (duplicates included), restarted,
 * and every profile is then compared with `applyEngagement` over the deduplicated events.
 * Then every event is published again (a replay): nothing may change, not even a version.
 */
const HALF_LIFE_HOURS = 24;
const PEOPLE = 80;
const EVENTS = 2_000;
const BUSINESSES = ['acme', 'cucina', 'nova'];
const CATEGORIES = ['running-shoes', 'fitness', 'cooking', 'wine', 'skincare', 'makeup'];

function generate(run: string): EngagementNormalizedV1[] {
  const people = Array.from({ length: PEOPLE }, () => ({
    personId: randomBytes(32).toString('hex'),
    contact: `v1.${randomBytes(12).toString('base64url')}.a.b`,
  }));
  // Recent days (inside the 30-day retention window whenever the test runs).
  const start = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 9 * 86_400_000;
  const events: EngagementNormalizedV1[] = [];
  for (let i = 0; i < EVENTS; i += 1) {
    const person = people[randomInt(PEOPLE)];
    const business = randomInt(4);
    const occurredAt = new Date(start + randomInt(0, 96 * 3_600_000)).toISOString();
    events.push({
      dedupeKey: `${randomInt(2) ? 'facebook' : 'instagram'}:${run}-${i}`,
      personId: person.personId,
      contact: person.contact,
      source: randomInt(2) ? 'facebook' : 'instagram',
      type: ENGAGEMENT_TYPES[randomInt(ENGAGEMENT_TYPES.length)],
      occurredAt,
      categories: [CATEGORIES[randomInt(CATEGORIES.length)]],
      country: 'FR',
      ingestedAt: occurredAt,
      ...(business < BUSINESSES.length ? { businessId: BUSINESSES[business] } : {}),
    });
  }
  // A producer retrying: 10% of the events a second time, later in the stream.
  for (let d = 0; d < EVENTS / 10; d += 1) events.push({ ...events[randomInt(EVENTS)] });
  return events;
}

describe('profiles: exactly-once effect across crashes and replays', () => {
  const run = randomUUID().slice(0, 8);
  let bed: ProfilesTestBed;
  const events = generate(run);

  const start = () => bed.service.start();
  const kill = () => bed.service.stop('SIGKILL');

  async function processedCount(): Promise<number> {
    const rows = await bed.pg.query<{ n: string }>(`SELECT count(*) AS n FROM processed_event WHERE dedupe_key LIKE $1`, [`%:${run}-%`]);
    return Number(rows.rows[0].n);
  }

  const caughtUp = () => bed.caughtUp(Topic.EngagementNormalizedV1);
  const publish = (batch: EngagementNormalizedV1[]) => bed.send(Topic.EngagementNormalizedV1, batch);
  const storedProfiles = () => bed.storedProfiles(events.map((e) => e.personId));

  function reference(): Map<string, ProfileState> {
    const decay = new InterestDecay(HALF_LIFE_HOURS);
    const unique = new Map(events.map((e) => [e.dedupeKey, e]));
    const byPerson = new Map<string, EngagementNormalizedV1[]>();
    for (const e of unique.values()) byPerson.set(e.personId, [...(byPerson.get(e.personId) ?? []), e]);
    return new Map([...byPerson].map(([id, own]) => [id, applyEngagement(emptyProfile(id), own, decay)]));
  }

  function expectExact(stored: Map<string, ProfileState>): void {
    const expected = reference();
    expect(stored.size).toBe(expected.size);
    for (const [id, want] of expected) {
      expectProfileLike(stored.get(id), want);
      expect([stored.get(id)?.country, stored.get(id)?.timeZone, stored.get(id)?.contact]).toEqual([
        want.country,
        want.timeZone,
        want.contact,
      ]);
    }
  }

  beforeAll(async () => {
    bed = await ProfilesTestBed.create('crash', run, {
      INTEREST_HALF_LIFE_HOURS: String(HALF_LIFE_HOURS),
      // Small fetches make many batches.
      KAFKA_MAX_BYTES_PER_PARTITION: '32768',
      // And transactions of at most 7 people: a kill between two of a batch's commits is covered too.
      MAX_PEOPLE_PER_TRANSACTION: '7',
    });
  }, 60_000);

  afterAll(async () => {
    await bed?.service.stop('SIGKILL');
    await bed?.close();
  });

  it('leaves every profile as if each event had been applied once, after SIGKILLs mid-batch', async () => {
    const distinct = new Set(events.map((e) => e.dedupeKey)).size;
    const kills: number[] = [];
    await start();
    // Events arrive while the service works; it is killed at random moments in the middle.
    const waves = 3;
    const size = Math.ceil(events.length / waves);
    for (let w = 0; w < waves; w += 1) {
      await publish(events.slice(w * size, (w + 1) * size));
      const before = await processedCount();
      await eventually('the service to be working through the wave', async () => ((await processedCount()) > before ? true : undefined));
      await sleep(randomInt(20, 150));
      kills.push(await processedCount());
      await kill();
      await start();
    }
    await eventually(
      'every event to be processed and committed',
      async () => ((await processedCount()) === distinct && (await caughtUp()) ? true : undefined),
      60_000,
    );
    // Killed at least once with work left to do: the crash was in the middle of the stream.
    expect(kills.some((n) => n < distinct)).toBe(true);
    expectExact(await storedProfiles());
  }, 180_000);

  it('a replay of every event changes nothing, not even a version', async () => {
    const before = await storedProfiles();
    await publish(events);
    await eventually('the replay to be consumed', async () => ((await caughtUp()) ? true : undefined), 60_000);
    const after = await storedProfiles();
    expect(after).toEqual(before);
    expectExact(after);
  }, 120_000);

  it('a revoked cross_app_profiling stops cross-app signals from counting in the next snapshot', async () => {
    const snapshots = await TopicProbe.start(testBrokers(), Topic.ProfileSnapshotsV1);
    try {
      const person = events.find((e) => e.businessId === 'acme')!;
      const expected = reference().get(person.personId)!;
      const consent = (status: 'granted' | 'revoked', minutes: number): ConsentNormalizedV1 => ({
        personId: person.personId,
        contact: person.contact,
        purpose: 'cross_app_profiling',
        status,
        occurredAt: new Date(Date.parse('2026-11-28T00:00:00Z') + minutes * 60_000).toISOString(),
        source: 'it',
      });
      const send = (c: ConsentNormalizedV1) => bed.send(Topic.ConsentNormalizedV1, [c]);

      await send(consent('granted', 0));
      const granted = await snapshots.waitFor((s) => s.personId === person.personId && s.signalBasis === 'cross_app');
      expectScoresClose(usableInterests(granted.value, 'nova'), expected.interests, 'cross-app interests');

      await send(consent('revoked', 1));
      const revoked = await snapshots.waitFor((s) => s.personId === person.personId && s.version > granted.value.version);
      expect(revoked.value).toMatchObject({ signalBasis: 'first_party_only', interests: {}, consents: { crossAppProfiling: false } });
      // Only each business's own first-party signals remain usable, and only for that business.
      expectScoresClose(usableInterests(revoked.value, 'acme'), expected.businessInterests['acme'], 'acme first-party');
      expect(usableInterests(revoked.value, 'no-such-business')).toEqual({});
      const ledger = await bed.pg.query(`SELECT status FROM consent_ledger WHERE person_id = $1 ORDER BY occurred_at`, [person.personId]);
      expect(ledger.rows.map((r) => r.status)).toEqual(['granted', 'revoked']);
    } finally {
      await snapshots.stop();
    }
  }, 60_000);
});
