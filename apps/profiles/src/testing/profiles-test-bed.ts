import { type INestApplication } from '@nestjs/common';
import { loadConfig } from '@wt/config';
import { Topic, TOPIC_SPECS } from '@wt/contracts';
import { createKafka, ensureTopics } from '@wt/kafka';
import { type ProfileState } from '@wt/profile-model';
import { runService } from '@wt/runtime';
import {
  eventually,
  groupAtTopicEnds,
  ScratchDatabase,
  ServiceProcess,
  testBrokers,
  testDatabaseUrl,
  TestProducer,
  testVaultEnv,
} from '@wt/testing';
import { randomBytes } from 'node:crypto';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { type Client } from 'pg';
import { profilesModule } from '../app.module';
import { ProfilesConfig } from '../profiles.config';

/** A stored profile as the specs compare it: the state and its version. */
export type StoredProfile = ProfileState & { version: number };

/**
 * A profiles integration spec's world: a database of its own (`wt_it_profiles_<name>_<run>`), the
 * built profiles service as a child process on it (consumer groups `it-<name>-<run>.*`, a killed
 * member's partitions back after 6 s), a producer, and an admin client to see what it committed.
 */
export class ProfilesTestBed {
  private constructor(
    readonly run: string,
    readonly groupId: string,
    readonly db: ScratchDatabase,
    readonly service: ServiceProcess,
    readonly kafka: Kafka,
    readonly producer: TestProducer,
    readonly admin: Admin,
  ) {}

  /** Builds the service, creates the database and connects; `env` goes over the defaults (none started yet). */
  static async create(name: string, run: string, env: Record<string, string> = {}): Promise<ProfilesTestBed> {
    const brokers = testBrokers();
    const groupPrefix = `it-${name}-${run}`;
    const db = await ScratchDatabase.create('profiles', `wt_it_profiles_${name}_${run}`);
    const service = await ServiceProcess.create(
      'profiles',
      `profiles-${name}-${run}`,
      {
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_GROUP_PREFIX: groupPrefix,
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        DATABASE_URL: db.url,
        DB_MIGRATIONS_RUN: 'true',
        PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
        CONTACT_KEY: randomBytes(32).toString('base64'),
        ...testVaultEnv(),
        ...env,
      },
      { build: true },
    );
    const kafka = new Kafka({ brokers, clientId: `profiles-${name}-it`, logLevel: logLevel.ERROR });
    const admin = kafka.admin();
    const [producer] = await Promise.all([TestProducer.connect(`profiles-${name}-it`, brokers), admin.connect()]);
    return new ProfilesTestBed(run, `${groupPrefix}.profiles`, db, service, kafka, producer, admin);
  }

  get pg(): Client {
    return this.db.pg;
  }

  /** Publishes `values` to `topic`, each keyed by `keyOf` (its personId by default). */
  async send<V extends object>(
    topic: Topic,
    values: readonly V[],
    keyOf: (value: V) => string = personIdOf,
    chunk?: number,
  ): Promise<void> {
    await this.producer.publish(
      topic,
      values.map((value) => ({ key: keyOf(value), value })),
      chunk,
    );
  }

  /** True once the service's group has committed every record of `topics` published so far. */
  async caughtUp(...topics: Topic[]): Promise<boolean> {
    for (const topic of topics) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const [committed] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
      const done = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]));
      if (!ends.every((end) => Number(end.high) === 0 || (done.get(end.partition) ?? -1) >= Number(end.high))) return false;
    }
    return true;
  }

  /** The stored profiles of these people, by personId. */
  async storedProfiles(personIds: readonly string[]): Promise<Map<string, StoredProfile>> {
    const { rows } = await this.pg.query(`SELECT * FROM person_profile WHERE person_id = ANY($1::char(64)[])`, [[...new Set(personIds)]]);
    return new Map(rows.map((r) => [r.person_id as string, profileOfRow(r)]));
  }

  /** Stops the service, then the clients, forgets the group and drops the database. */
  async close(): Promise<void> {
    await this.service.stop();
    await this.producer.disconnect();
    await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
    await this.admin.disconnect();
    await this.db.drop();
  }
}

function personIdOf(value: object): string {
  const { personId } = value as { personId?: unknown };
  if (typeof personId !== 'string') throw new Error('a record without a personId: give send() a key');
  return personId;
}

function profileOfRow(r: Record<string, never>): StoredProfile {
  return {
    personId: r['person_id'],
    contact: r['contact'],
    country: r['country'],
    timeZone: r['time_zone'],
    interests: r['interests'],
    businessInterests: r['business_interests'],
    interestsAt: r['interests_at'],
    recentInterests: r['recent_interests'],
    totalEvents: r['total_events'],
    eventsBySource: r['events_by_source'],
    eventsByBusiness: r['events_by_business'],
    lastSeenAt: r['last_seen_at'],
    serviceWindows: r['service_windows'],
    version: Number(r['version']),
  };
}

/**
 * Expects a stored profile to be `want` (a reference computed by `applyEngagement`): the same
 * counts, dates and categories, and scores within 1e-4 (stored scores are rounded to 1e-6 after
 * each batch; batching changes only that rounding).
 */
export function expectProfileLike(got: ProfileState | undefined, want: ProfileState): void {
  const id = want.personId;
  expect({ id, stored: got !== undefined }).toEqual({ id, stored: true });
  if (!got) return;
  expect({ id, totalEvents: got.totalEvents, bySource: got.eventsBySource, byBusiness: got.eventsByBusiness }).toEqual({
    id,
    totalEvents: want.totalEvents,
    bySource: want.eventsBySource,
    byBusiness: want.eventsByBusiness,
  });
  const dates = (p: ProfileState) => [p.lastSeenAt?.toISOString() ?? null, p.interestsAt?.toISOString() ?? null];
  expect({ id, dates: dates(got) }).toEqual({ id, dates: dates(want) });
  expectScoresClose(got.interests, want.interests, `${id} interests`);
  expect(Object.keys(got.businessInterests).sort()).toEqual(Object.keys(want.businessInterests).sort());
  for (const [business, scores] of Object.entries(want.businessInterests))
    expectScoresClose(got.businessInterests[business], scores, `${id} ${business}`);
}

export function expectScoresClose(actual: Record<string, number> | undefined, expected: Record<string, number>, where: string): void {
  expect({ where, keys: Object.keys(actual ?? {}).sort() }).toEqual({ where, keys: Object.keys(expected).sort() });
  for (const [category, score] of Object.entries(expected))
    expect({ where, category, off: Math.abs((actual?.[category] ?? NaN) - score) < 1e-4 }).toEqual({ where, category, off: true });
}

/** The topics the profiles service consumes. */
const PROFILES_TOPICS = [
  Topic.EngagementNormalizedV1,
  Topic.ConsentNormalizedV1,
  Topic.PrivacyRequestsV1,
  Topic.WhatsappInboundV1,
  Topic.IdentityMergesV1,
];

/**
 * The whole profiles service in this process, on the test stack's profiles database, as `main`
 * runs it: its consumers in a new group `it-<name>-<run>.profiles` set at the current ends of their
 * topics (only what the test publishes), `env` over the test defaults. Returned once ready.
 */
export async function runProfilesService(name: string, run: string, env: Record<string, string> = {}): Promise<INestApplication> {
  const brokers = testBrokers();
  const settings = loadConfig(ProfilesConfig, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_GROUP_PREFIX: `it-${name}-${run}`,
    DATABASE_URL: testDatabaseUrl('profiles'),
    DB_MIGRATIONS_RUN: 'true',
    PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
    ...testVaultEnv(),
    ...env,
  });
  const groupId = `${settings.KAFKA_GROUP_PREFIX}.profiles`;
  await ensureTopics(
    createKafka({ brokers, clientId: `profiles-${name}-it` }),
    PROFILES_TOPICS.map((topic) => TOPIC_SPECS[topic]),
  );
  await groupAtTopicEnds(groupId, PROFILES_TOPICS, brokers);
  const app = await runService({
    name: 'profiles',
    module: profilesModule(settings),
    port: 0,
    host: '127.0.0.1',
    consumer: { connection: { brokers, clientId: `profiles-${name}-it` }, groupId },
  });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await eventually('profiles ready', async () => ((await fetch(`${url}/health/ready`)).ok ? true : undefined), 60_000);
  return app;
}
