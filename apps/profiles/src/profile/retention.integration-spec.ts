import { ENGAGEMENT_TYPES, type EngagementNormalizedV1, Topic } from '@wt/contracts';
import { type ProfileState } from '@wt/profile-model';
import { eventually, testBrokers, TopicProbe } from '@wt/testing';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { expectProfileLike, ProfilesTestBed } from '../testing/profiles-test-bed';
import { retentionCutoff } from './day-buckets';
import { InterestDecay } from './interest-decay';
import { applyEngagement, emptyProfile } from './profile-state';

/**
 * Retention (issue 3, point 10) on the real broker and Postgres: the built profiles service counts
 * events of the last 30 days; then the retention purge runs with shorter windows, once as the
 * CronJob's one-shot (`WT_RUN_MODE=retention-purge`, after a try while another process holds the
 * purge lock) and once from the service's own interval. After each, every profile equals the
 * reference computed from the events left inside the window only, the snapshot topic carries it,
 * and the dedupe records of the purged events are gone. A late replay of a purged event is
 * dead-lettered, not counted again.
 */
const HALF_LIFE_HOURS = 24 * 7;
const DAY_MS = 86_400_000;
const CATEGORIES = ['running-shoes', 'wine', 'cooking', 'skincare'];
const BUSINESSES = ['acme', 'nova'];

describe('profiles: retention window and purge', () => {
  const run = randomUUID().slice(0, 8);
  let bed: ProfilesTestBed;
  const decay = new InterestDecay(HALF_LIFE_HOURS);
  const now = Date.now();
  const people = Array.from({ length: 6 }, () => ({
    personId: randomBytes(32).toString('hex'),
    contact: `v1.${randomBytes(12).toString('base64url')}.a.b`,
  }));
  const onlyAncient = people[5];
  let snapshots: TopicProbe<Topic.ProfileSnapshotsV1>;
  let deadLetters: TopicProbe<Topic.DeadLetterV1>;

  /** Events between `fromDays` and `toDays` ago; far from any cutoff day used below. */
  function eventsAged(label: string, count: number, fromDays: number, toDays: number, who = people.slice(0, 5)): EngagementNormalizedV1[] {
    return Array.from({ length: count }, (_, i) => {
      const person = who[randomInt(who.length)];
      const at = new Date(now - fromDays * DAY_MS - randomInt(0, Math.floor((toDays - fromDays) * DAY_MS))).toISOString();
      const business = randomInt(3);
      const source = randomInt(2) ? 'facebook' : 'instagram';
      return {
        dedupeKey: `${source}:${run}-${label}-${i}`,
        personId: person.personId,
        contact: person.contact,
        source,
        type: ENGAGEMENT_TYPES[randomInt(ENGAGEMENT_TYPES.length)],
        occurredAt: at,
        categories: [CATEGORIES[randomInt(CATEGORIES.length)]],
        country: 'FR',
        ingestedAt: new Date(now).toISOString(),
        ...(business < BUSINESSES.length ? { businessId: BUSINESSES[business] } : {}),
      };
    });
  }

  // Purged by a 20-day window (22 to 27 days old), by a 10-day window (12 to 17), and kept (0 to 5).
  const ancient = [...eventsAged('ancient', 150, 22, 27), ...eventsAged('ancient-only', 12, 22, 27, [onlyAncient])];
  const older = eventsAged('older', 150, 12, 17);
  const recent = eventsAged('recent', 150, 0.1, 5);
  const all = [...ancient, ...older, ...recent];
  // A producer retrying: some events twice.
  const withDuplicates = [...all, ...all.filter((_, i) => i % 9 === 0)];

  const stop = () => bed.service.stop('SIGTERM');

  /** The CronJob's one-shot: its exit code and what it logged. */
  const purgeOnce = (retentionDays: number) =>
    bed.service.runOnce({ WT_RUN_MODE: 'retention-purge', RETENTION_DAYS: String(retentionDays) });

  const caughtUp = () => bed.caughtUp(Topic.EngagementNormalizedV1);
  const publish = (batch: EngagementNormalizedV1[]) => bed.send(Topic.EngagementNormalizedV1, batch, undefined, 200);

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await bed.pg.query<{ n: string }>(sql, params);
    return Number(rows[0].n);
  }

  const stored = () => bed.storedProfiles(people.map((p) => p.personId));

  /** Each person's profile from these events alone, applied once each. */
  function reference(events: readonly EngagementNormalizedV1[]): Map<string, ProfileState> {
    const unique = new Map(events.map((e) => [e.dedupeKey, e]));
    return new Map(
      people.map((person) => {
        const own = [...unique.values()].filter((e) => e.personId === person.personId);
        return [
          person.personId,
          own.length > 0 ? applyEngagement(emptyProfile(person.personId), own, decay) : emptyProfile(person.personId),
        ];
      }),
    );
  }

  function expectProfilesOf(events: readonly EngagementNormalizedV1[], profiles: Map<string, ProfileState>): void {
    for (const [id, want] of reference(events)) expectProfileLike(profiles.get(id), want);
  }

  /** Every person's latest snapshot carries their stored profile (version, counts, first-party interests). */
  async function expectSnapshotsOf(profiles: Map<string, ProfileState>): Promise<void> {
    for (const [id, profile] of profiles) {
      const { value } = await snapshots.waitFor((s) => s.personId === id && s.version === profile.version);
      expect(value.activity).toEqual({
        totalEvents: profile.totalEvents,
        eventsBySource: profile.eventsBySource,
        eventsByBusiness: profile.eventsByBusiness,
        ...(profile.lastSeenAt ? { lastSeenAt: profile.lastSeenAt.toISOString() } : {}),
      });
      // Behaviour signals are kept under reserved keys (`~...`) of the business maps, and are not businesses.
      expect(value.firstPartyInterests).toEqual(
        Object.fromEntries(Object.entries(profile.businessInterests).filter(([k]) => !k.startsWith('~'))),
      );
    }
  }

  const dedupeOf = (events: readonly EngagementNormalizedV1[]) =>
    count(`SELECT count(*) AS n FROM processed_event WHERE dedupe_key = ANY($1::text[])`, [[...new Set(events.map((e) => e.dedupeKey))]]);
  // The service reads the shared topic from the beginning: other tests' people are in its database too.
  const ours = () => people.map((p) => p.personId);
  const daysBefore = (day: string) =>
    count(`SELECT count(*) AS n FROM person_day_bucket WHERE day < $1::date AND person_id = ANY($2::char(64)[])`, [day, ours()]);

  beforeAll(async () => {
    bed = await ProfilesTestBed.create('retention', run, {
      INTEREST_HALF_LIFE_HOURS: String(HALF_LIFE_HOURS),
      RETENTION_PURGE_BATCH: '2',
    });
    [snapshots, deadLetters] = await Promise.all([
      TopicProbe.start(testBrokers(), Topic.ProfileSnapshotsV1),
      TopicProbe.start(testBrokers(), Topic.DeadLetterV1),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([snapshots, deadLetters].map((probe) => probe?.stop()));
    await bed?.close();
  }, 60_000);

  it('counts every event inside a 30-day window, once', async () => {
    await bed.service.start({ RETENTION_DAYS: '30', RETENTION_PURGE_INTERVAL_SECONDS: '0' });
    await publish(withDuplicates);
    await eventually(
      'every event to be applied and committed',
      async () => ((await dedupeOf(all)) === all.length && (await caughtUp()) ? true : undefined),
      90_000,
    );
    const profiles = await stored();
    expectProfilesOf(all, profiles);
    expect(
      await count(`SELECT coalesce(sum(total_events), 0) AS n FROM person_day_bucket WHERE person_id = ANY($1::char(64)[])`, [ours()]),
    ).toBe(all.length);
    await expectSnapshotsOf(profiles);
  }, 150_000);

  it('the one-shot purge (CronJob) waits its turn, then removes what left a 20-day window, exactly', async () => {
    const cutoff = retentionCutoff(new Date(), 20);
    const daysHeld = await daysBefore(cutoff.day);
    expect(daysHeld).toBeGreaterThan(0);
    const versions = new Map([...(await stored())].map(([id, p]) => [id, p.version]));

    // Another process holds the purge lock: the one-shot does nothing and says so.
    await bed.pg.query(`SELECT pg_advisory_lock(hashtextextended('wt.profiles.retention-purge', 0))`);
    const busy = await purgeOnce(20);
    await bed.pg.query(`SELECT pg_advisory_unlock(hashtextextended('wt.profiles.retention-purge', 0))`);
    expect(busy.code).toBe(0);
    expect(busy.log).toMatch(/retention purge skipped: another process holds the purge lock/);
    expect(await daysBefore(cutoff.day)).toBe(daysHeld);

    const done = await purgeOnce(20);
    expect(done.code).toBe(0);
    const purgedPeople = new Set(ancient.map((e) => e.personId)).size;
    const summary = new RegExp(
      `retention purge before ${cutoff.day}: (\\d+) people recomputed, (\\d+) days and (\\d+) dedupe records deleted`,
    ).exec(done.log);
    expect(summary).not.toBeNull();
    // At least ours (other tests' old events may be purged with them).
    const [recomputed, days, dedupe] = (summary ?? []).slice(1).map(Number);
    expect(recomputed).toBeGreaterThanOrEqual(purgedPeople);
    expect(days).toBeGreaterThanOrEqual(daysHeld);
    expect(dedupe).toBeGreaterThanOrEqual(ancient.length);
    expect(await daysBefore(cutoff.day)).toBe(0);
    expect(await dedupeOf(ancient)).toBe(0);
    expect(await dedupeOf([...older, ...recent])).toBe(older.length + recent.length);

    const profiles = await stored();
    expectProfilesOf([...older, ...recent], profiles);
    const touched = new Set(ancient.map((e) => e.personId));
    for (const [id, profile] of profiles)
      expect({ id, version: profile.version }).toEqual({ id, version: (versions.get(id) ?? NaN) + (touched.has(id) ? 1 : 0) });
    expect(profiles.get(onlyAncient.personId)).toMatchObject({
      totalEvents: 0,
      interests: {},
      businessInterests: {},
      lastSeenAt: null,
      contact: onlyAncient.contact,
      country: 'FR',
    });
    await expectSnapshotsOf(profiles);
  }, 120_000);

  it("the service's own interval purges what left a 10-day window; a late replay of a purged event is dead-lettered, not counted", async () => {
    await stop();
    await bed.service.start({ RETENTION_DAYS: '10', RETENTION_PURGE_INTERVAL_SECONDS: '1' });
    const cutoff = retentionCutoff(new Date(), 10);
    await eventually(
      'the interval purge to run',
      async () => ((await daysBefore(cutoff.day)) === 0 && (await dedupeOf(older)) === 0 ? true : undefined),
      60_000,
    );
    const profiles = await stored();
    expectProfilesOf(recent, profiles);
    await expectSnapshotsOf(profiles);

    const late = ancient[0];
    await publish([late]);
    const letter = await deadLetters.waitFor(
      (d) =>
        d.service === 'profiles' &&
        d.originTopic === Topic.EngagementNormalizedV1 &&
        // The original is sealed in a dead letter; its SHA-256 says which record it was.
        d.payloadSha256 === createHash('sha256').update(JSON.stringify(late)).digest('hex'),
    );
    expect(letter.value.reason).toBe('timestamp_too_old');
    expect(letter.value.detail).toMatch(new RegExp(`occurredAt: before ${cutoff.day}, past the 10-day retention window`));
    await eventually('the replay to be committed', async () => ((await caughtUp()) ? true : undefined), 30_000);
    expect(await stored()).toEqual(profiles);
    expect(await dedupeOf([late])).toBe(0);
  }, 120_000);
});
