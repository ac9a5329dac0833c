import { type ProfileState } from '@wt/profile-model';
import { type ConsentNormalizedV1, ENGAGEMENT_TYPES, type EngagementNormalizedV1, Topic, usableInterests } from '@wt/contracts';
import { testBrokers, testDatabaseUrl, eventually, sleep, TopicProbe, testVaultEnv, stopChild, waitUntilReady } from '@wt/testing';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { InterestDecay } from './interest-decay';
import { applyEngagement, emptyProfile } from './profile-state';
import { testLogDir } from '../testing/test-log-dir';
import { dropScratchDatabase } from '../testing/scratch-database';

/**
 * Exactly-once effect (issue 3, points 6 and 7), on the real broker and Postgres: the built
 * profiles service runs as a child process on its own database and consumer group; it is killed
 * with SIGKILL several times while it works through the events (duplicates included), restarted,
 * and every profile is then compared with `applyEngagement` over the deduplicated events.
 * Then every event is published again (a replay): nothing may change, not even a version.
 */
const ROOT = path.resolve(__dirname, '../../../..');
const HALF_LIFE_HOURS = 24;
const PEOPLE = 80;
const EVENTS = 2_000;
const BUSINESSES = ['acme', 'cucina', 'nova'];
const CATEGORIES = ['running-shoes', 'fitness', 'cooking', 'wine', 'skincare', 'makeup'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

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
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const database = `wt_it_profiles_crash_${run}`;
  const adminUrl = new URL(testDatabaseUrl('profiles'));
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${database}`;
  const groupPrefix = `it-crash-${run}`;
  const logFile = path.join(testLogDir(), `profiles-crash-${run}.log`);
  const kafka = new Kafka({ brokers, clientId: 'profiles-crash-it', logLevel: logLevel.ERROR });
  let producer: Producer;
  let admin: Admin;
  let pg: Client;
  let child: ChildProcess | undefined;
  let port: number;
  const events = generate(run);

  function start(): ChildProcess {
    const out = fs.openSync(logFile, 'a');
    const proc = spawn(process.execPath, [path.join(ROOT, 'dist/apps/profiles/src/main.js')], {
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        PORT: String(port),
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_GROUP_PREFIX: groupPrefix,
        DATABASE_URL: dbUrl.toString(),
        DB_MIGRATIONS_RUN: 'true',
        INTEREST_HALF_LIFE_HOURS: String(HALF_LIFE_HOURS),
        // A killed member's partitions come back after 6 s, not 30; small fetches make many batches.
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_MAX_BYTES_PER_PARTITION: '32768',
        // And transactions of at most 7 people: a kill between two of a batch's commits is covered too.
        MAX_PEOPLE_PER_TRANSACTION: '7',
        PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
        CONTACT_KEY: randomBytes(32).toString('base64'),
        ...testVaultEnv(),
      },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    return proc;
  }

  async function ready(): Promise<void> {
    await waitUntilReady('profiles', child, `http://127.0.0.1:${port}`, logFile);
  }

  async function kill(): Promise<void> {
    await stopChild(child, 'SIGKILL');
  }

  async function processedCount(): Promise<number> {
    const rows = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM processed_event WHERE dedupe_key LIKE $1`, [`%:${run}-%`]);
    return Number(rows.rows[0].n);
  }

  async function caughtUp(): Promise<boolean> {
    const ends = await admin.fetchTopicOffsets(Topic.EngagementNormalizedV1);
    const [committed] = await admin.fetchOffsets({ groupId: `${groupPrefix}.profiles`, topics: [Topic.EngagementNormalizedV1] });
    const done = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.every((end) => (done.get(end.partition) ?? -1) >= Number(end.high));
  }

  async function publish(batch: EngagementNormalizedV1[]): Promise<void> {
    for (let i = 0; i < batch.length; i += 500) {
      await producer.send({
        topic: Topic.EngagementNormalizedV1,
        acks: -1,
        messages: batch.slice(i, i + 500).map((e) => ({ key: e.personId, value: JSON.stringify(e) })),
      });
    }
  }

  async function storedProfiles(): Promise<Map<string, ProfileState & { version: number }>> {
    const rows = await pg.query(`SELECT * FROM person_profile WHERE person_id = ANY($1::char(64)[])`, [
      [...new Set(events.map((e) => e.personId))],
    ]);
    return new Map(
      rows.rows.map((r) => [
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

  function reference(): Map<string, ProfileState> {
    const decay = new InterestDecay(HALF_LIFE_HOURS);
    const unique = new Map(events.map((e) => [e.dedupeKey, e]));
    const byPerson = new Map<string, EngagementNormalizedV1[]>();
    for (const e of unique.values()) byPerson.set(e.personId, [...(byPerson.get(e.personId) ?? []), e]);
    return new Map([...byPerson].map(([id, own]) => [id, applyEngagement(emptyProfile(id), own, decay)]));
  }

  function expectScoresClose(actual: Record<string, number>, expected: Record<string, number>, where: string): void {
    expect({ where, keys: Object.keys(actual).sort() }).toEqual({ where, keys: Object.keys(expected).sort() });
    for (const [category, score] of Object.entries(expected)) {
      // Stored scores are rounded to 1e-6 after each batch; batching changes only that rounding.
      expect(Math.abs(actual[category] - score)).toBeLessThan(1e-4);
    }
  }

  function expectExact(stored: Map<string, ProfileState>): void {
    const expected = reference();
    expect(stored.size).toBe(expected.size);
    for (const [id, want] of expected) {
      const got = stored.get(id);
      expect(got).toBeDefined();
      if (!got) continue;
      expect({ id, totalEvents: got.totalEvents, eventsBySource: got.eventsBySource, eventsByBusiness: got.eventsByBusiness }).toEqual({
        id,
        totalEvents: want.totalEvents,
        eventsBySource: want.eventsBySource,
        eventsByBusiness: want.eventsByBusiness,
      });
      expect(got.interestsAt?.toISOString()).toBe(want.interestsAt?.toISOString());
      expect(got.lastSeenAt?.toISOString()).toBe(want.lastSeenAt?.toISOString());
      expect([got.country, got.timeZone, got.contact]).toEqual([want.country, want.timeZone, want.contact]);
      expectScoresClose(got.interests, want.interests, `${id} interests`);
      expect(Object.keys(got.businessInterests).sort()).toEqual(Object.keys(want.businessInterests).sort());
      for (const [business, scores] of Object.entries(want.businessInterests))
        expectScoresClose(got.businessInterests[business], scores, `${id} ${business}`);
    }
  }

  beforeAll(async () => {
    // The child runs the built service: build it now so the test never runs stale code.
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
  }, 60_000);

  afterAll(async () => {
    await kill();
    await producer?.disconnect();
    if (admin) {
      await admin.deleteGroups([`${groupPrefix}.profiles`]).catch(() => undefined);
      await admin.disconnect();
    }
    await pg?.end();
    await dropScratchDatabase(adminUrl, database);
  });

  it('leaves every profile as if each event had been applied once, after SIGKILLs mid-batch', async () => {
    const distinct = new Set(events.map((e) => e.dedupeKey)).size;
    const kills: number[] = [];
    child = start();
    await ready();
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
      child = start();
      await ready();
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
    const snapshots = await TopicProbe.start(brokers, Topic.ProfileSnapshotsV1);
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
      const send = (c: ConsentNormalizedV1) =>
        producer.send({ topic: Topic.ConsentNormalizedV1, acks: -1, messages: [{ key: c.personId, value: JSON.stringify(c) }] });

      await send(consent('granted', 0));
      const granted = await snapshots.waitFor((s) => s.personId === person.personId && s.signalBasis === 'cross_app');
      expectScoresClose(usableInterests(granted.value, 'nova'), expected.interests, 'cross-app interests');

      await send(consent('revoked', 1));
      const revoked = await snapshots.waitFor((s) => s.personId === person.personId && s.version > granted.value.version);
      expect(revoked.value).toMatchObject({ signalBasis: 'first_party_only', interests: {}, consents: { crossAppProfiling: false } });
      // Only each business's own first-party signals remain usable, and only for that business.
      expectScoresClose(usableInterests(revoked.value, 'acme'), expected.businessInterests['acme'], 'acme first-party');
      expect(usableInterests(revoked.value, 'no-such-business')).toEqual({});
      const ledger = await pg.query(`SELECT status FROM consent_ledger WHERE person_id = $1 ORDER BY occurred_at`, [person.personId]);
      expect(ledger.rows.map((r) => r.status)).toEqual(['granted', 'revoked']);
    } finally {
      await snapshots.stop();
    }
  }, 60_000);
});
