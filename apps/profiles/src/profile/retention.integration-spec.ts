import { type ProfileState } from '@wt/profile-model';
import { ENGAGEMENT_TYPES, type EngagementNormalizedV1, Topic } from '@wt/contracts';
import { eventually, testBrokers, testDatabaseUrl, testVaultEnv, TopicProbe, stopChild, waitUntilReady } from '@wt/testing';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { dropScratchDatabase } from '../testing/scratch-database';
import { testLogDir } from '../testing/test-log-dir';
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
const ROOT = path.resolve(__dirname, '../../../..');
const HALF_LIFE_HOURS = 24 * 7;
const DAY_MS = 86_400_000;
const CATEGORIES = ['running-shoes', 'wine', 'cooking', 'skincare'];
const BUSINESSES = ['acme', 'nova'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('profiles: retention window and purge', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const database = `wt_it_profiles_retention_${run}`;
  const adminUrl = new URL(testDatabaseUrl('profiles'));
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${database}`;
  const groupPrefix = `it-retention-${run}`;
  const logFile = path.join(testLogDir(), `profiles-retention-${run}.log`);
  const kafka = new Kafka({ brokers, clientId: 'profiles-retention-it', logLevel: logLevel.ERROR });
  const decay = new InterestDecay(HALF_LIFE_HOURS);
  const now = Date.now();
  const people = Array.from({ length: 6 }, () => ({
    personId: randomBytes(32).toString('hex'),
    contact: `v1.${randomBytes(12).toString('base64url')}.a.b`,
  }));
  const onlyAncient = people[5];
  let producer: Producer;
  let admin: Admin;
  let pg: Client;
  let child: ChildProcess | undefined;
  let port: number;
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

  function start(env: Record<string, string>): ChildProcess {
    const out = fs.openSync(logFile, 'a');
    const proc = spawn(process.execPath, [path.join(ROOT, 'dist/apps/profiles/src/main.js')], {
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        PORT: String(port),
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_GROUP_PREFIX: groupPrefix,
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        DATABASE_URL: dbUrl.toString(),
        DB_MIGRATIONS_RUN: 'true',
        INTEREST_HALF_LIFE_HOURS: String(HALF_LIFE_HOURS),
        PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
        CONTACT_KEY: randomBytes(32).toString('base64'),
        RETENTION_PURGE_BATCH: '2',
        ...testVaultEnv(),
        ...env,
      },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    return proc;
  }

  async function ready(): Promise<void> {
    await waitUntilReady('profiles', child, `http://127.0.0.1:${port}`, logFile);
  }

  async function stop(): Promise<void> {
    await stopChild(child, 'SIGTERM');
  }

  /** The CronJob's one-shot: its exit code and what it logged. */
  async function purgeOnce(retentionDays: number): Promise<{ code: number | null; log: string }> {
    const before = fs.statSync(logFile).size;
    const proc = start({ WT_RUN_MODE: 'retention-purge', RETENTION_DAYS: String(retentionDays) });
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    const log = fs.readFileSync(logFile, 'utf8').slice(before);
    return { code, log };
  }

  async function caughtUp(): Promise<boolean> {
    const ends = await admin.fetchTopicOffsets(Topic.EngagementNormalizedV1);
    const [committed] = await admin.fetchOffsets({ groupId: `${groupPrefix}.profiles`, topics: [Topic.EngagementNormalizedV1] });
    const done = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.every((end) => Number(end.high) === 0 || (done.get(end.partition) ?? -1) >= Number(end.high));
  }

  async function publish(batch: EngagementNormalizedV1[]): Promise<void> {
    for (let i = 0; i < batch.length; i += 200) {
      await producer.send({
        topic: Topic.EngagementNormalizedV1,
        acks: -1,
        messages: batch.slice(i, i + 200).map((e) => ({ key: e.personId, value: JSON.stringify(e) })),
      });
    }
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await pg.query<{ n: string }>(sql, params);
    return Number(rows[0].n);
  }

  async function stored(): Promise<Map<string, ProfileState>> {
    const { rows } = await pg.query(`SELECT * FROM person_profile WHERE person_id = ANY($1::char(64)[])`, [people.map((p) => p.personId)]);
    return new Map(
      rows.map((r) => [
        r.person_id,
        {
          personId: r.person_id,
          contact: r.contact,
          country: r.country,
          timeZone: r.time_zone,
          interests: r.interests,
          businessInterests: r.business_interests,
          interestsAt: r.interests_at,
          recentInterests: r.recent_interests,
          totalEvents: r.total_events,
          eventsBySource: r.events_by_source,
          eventsByBusiness: r.events_by_business,
          lastSeenAt: r.last_seen_at,
          serviceWindows: r.service_windows,
          version: Number(r.version),
        },
      ]),
    );
  }

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

  function expectScoresClose(actual: Record<string, number> | undefined, expected: Record<string, number>, where: string): void {
    expect({ where, keys: Object.keys(actual ?? {}).sort() }).toEqual({ where, keys: Object.keys(expected).sort() });
    // Stored scores are rounded to 1e-6 after each batch; only that rounding may differ.
    for (const [category, score] of Object.entries(expected))
      expect({ where, category, off: Math.abs((actual?.[category] ?? NaN) - score) < 1e-4 }).toEqual({ where, category, off: true });
  }

  function expectProfilesOf(events: readonly EngagementNormalizedV1[], profiles: Map<string, ProfileState>): void {
    for (const [id, want] of reference(events)) {
      const got = profiles.get(id);
      expect(got).toBeDefined();
      if (!got) continue;
      expect({ id, totalEvents: got.totalEvents, bySource: got.eventsBySource, byBusiness: got.eventsByBusiness }).toEqual({
        id,
        totalEvents: want.totalEvents,
        bySource: want.eventsBySource,
        byBusiness: want.eventsByBusiness,
      });
      expect([got.lastSeenAt?.toISOString() ?? null, got.interestsAt?.toISOString() ?? null]).toEqual([
        want.lastSeenAt?.toISOString() ?? null,
        want.interestsAt?.toISOString() ?? null,
      ]);
      expectScoresClose(got.interests, want.interests, `${id} interests`);
      expect(Object.keys(got.businessInterests).sort()).toEqual(Object.keys(want.businessInterests).sort());
      for (const [business, scores] of Object.entries(want.businessInterests))
        expectScoresClose(got.businessInterests[business], scores, `${id} ${business}`);
    }
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
    execFileSync(process.execPath, [path.join(ROOT, 'tools/build/swc-build.mjs'), 'apps/profiles'], { cwd: ROOT, stdio: 'ignore' });
    port = await freePort();
    pg = new Client({ connectionString: adminUrl.toString() });
    await pg.connect();
    await pg.query(`CREATE DATABASE ${database}`);
    await pg.end();
    pg = new Client({ connectionString: dbUrl.toString() });
    await pg.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
    [snapshots, deadLetters] = await Promise.all([
      TopicProbe.start(brokers, Topic.ProfileSnapshotsV1),
      TopicProbe.start(brokers, Topic.DeadLetterV1),
    ]);
  }, 60_000);

  afterAll(async () => {
    await stop();
    await Promise.all([snapshots, deadLetters].map((probe) => probe?.stop()));
    await producer?.disconnect();
    if (admin) {
      await admin.deleteGroups([`${groupPrefix}.profiles`]).catch(() => undefined);
      await admin.disconnect();
    }
    await pg?.end();
    await dropScratchDatabase(adminUrl, database);
  }, 60_000);

  it('counts every event inside a 30-day window, once', async () => {
    child = start({ RETENTION_DAYS: '30', RETENTION_PURGE_INTERVAL_SECONDS: '0' });
    await ready();
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
    await pg.query(`SELECT pg_advisory_lock(hashtextextended('wt.profiles.retention-purge', 0))`);
    const busy = await purgeOnce(20);
    await pg.query(`SELECT pg_advisory_unlock(hashtextextended('wt.profiles.retention-purge', 0))`);
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
    child = start({ RETENTION_DAYS: '10', RETENTION_PURGE_INTERVAL_SECONDS: '1' });
    await ready();
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
