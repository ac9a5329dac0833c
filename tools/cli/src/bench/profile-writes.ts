import { type EngagementNormalizedV1 } from '@wt/contracts';
import { postgresOptions } from '@wt/database';
import { type DayBucket, type ProfileState } from '@wt/profile-model';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { rng } from '../demo/population';
import { workspaceRoot } from '../workspace-root';

/** The built profiles app's classes and functions used here (tools may not import apps: loaded from dist; its types from @wt/profile-model). */
interface Decay {
  readonly halfLifeHours?: number;
}
interface ProfilesApp {
  ProfileStore: new (dataSource: DataSource) => {
    writeEngagement(
      events: readonly EngagementNormalizedV1[],
      decay: Decay,
      beforeCommit: () => Promise<void>,
    ): Promise<{ profiles: unknown[] }>;
  };
  InterestDecay: new (halfLifeHours: number) => Decay;
  applyEngagement: (profile: ProfileState, events: readonly EngagementNormalizedV1[], decay: Decay) => ProfileState;
  emptyProfile: (personId: string) => ProfileState;
  dayBucketsOf: (events: readonly EngagementNormalizedV1[], decay: Decay) => DayBucket[];
}

function loadProfilesApp(): ProfilesApp {
  const dist = (file: string) => {
    const built = join(workspaceRoot(), 'dist/apps/profiles/src', file);
    if (!existsSync(built)) throw new Error(`${built} is missing: build the apps first (npm run build)`);
    return require(built) as Record<string, unknown>;
  };
  return {
    ProfileStore: dist('profile/profile.store.js')['ProfileStore'] as ProfilesApp['ProfileStore'],
    InterestDecay: dist('profile/interest-decay.js')['InterestDecay'] as ProfilesApp['InterestDecay'],
    applyEngagement: dist('profile/profile-state.js')['applyEngagement'] as ProfilesApp['applyEngagement'],
    emptyProfile: dist('profile/profile-state.js')['emptyProfile'] as ProfilesApp['emptyProfile'],
    dayBucketsOf: dist('profile/day-buckets.js')['dayBucketsOf'] as ProfilesApp['dayBucketsOf'],
  };
}

const TABLES = ['person_profile', 'processed_event', 'person_day_bucket', 'erased_person', 'consent_state'];
const CATEGORIES = ['running-shoes', 'fitness', 'outdoor', 'cooking', 'italian-food', 'wine', 'skincare', 'travel', 'music'];
const TYPES = ['view', 'like', 'comment', 'click', 'share', 'save'] as const;
const HOUR_MS = 3_600_000;

export interface ProfileWritesResult {
  /** Profile rows written by each writer (the same number for all three). */
  rows: number;
  batches: number;
  peoplePerBatch: number;
  eventsPerBatch: number;
  dayRowsPerBatch: number;
  /** Raw `pg`: one unnest upsert of the batch's profile rows (the single-table ceiling). */
  tableCeiling: number;
  /** Raw `pg`: the batch's dedupe, day-bucket and profile rows in one statement (the data model's ceiling). */
  modelCeiling: number;
  /** ProfileStore.writeEngagement, the function the consumer calls (Kafka aside): profile rows per second. */
  store: number;
}

/**
 * Profile writes side by side in one run, each in its own fresh schema of the profiles database
 * (same tables and indexes, created LIKE the real ones), fed the same batches of `people` distinct
 * people with `eventsPerPerson` new events each, in turn (the order rotating, so none always gets
 * the warmest cache). Two passes over the people: the first inserts, the second updates.
 *
 *   - table ceiling: a raw `pg` unnest upsert of the batch's profile rows, as `pg-ceiling`;
 *   - model ceiling: a raw `pg` statement writing everything the data model holds for the batch
 *     (a dedupe row per event, a row per person and UTC day, a row per person), precomputed;
 *   - store: ProfileStore.writeEngagement with the batch's events (locks, erased check, dedupe
 *     claim, reads, in-memory updates, upserts, commit); snapshots not published.
 *
 * Each figure is profile rows per second of its own time: the three differ only by what they write
 * and compute, not by Kafka or the machine's load at another moment.
 */
export async function profileWrites(
  databaseUrl: string,
  options: { rows: number; people: number; eventsPerPerson: number },
): Promise<ProfileWritesResult> {
  const app = loadProfilesApp();
  const decay = new app.InterestDecay(24 * 14);
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  const schemas = { table: 'bench_writes_table', model: 'bench_writes_model', store: 'bench_writes_store' };
  for (const schema of Object.values(schemas)) {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    for (const table of TABLES) await admin.query(`CREATE TABLE ${schema}.${table} (LIKE public.${table} INCLUDING ALL)`);
  }
  const dataSource = new DataSource({
    ...postgresOptions({ url: databaseUrl, entities: [], migrations: [], runMigrations: false, applicationName: 'wt-bench' }),
    // Pipelined, as the service's connections (profiles' app.module).
    extra: { max: 1, options: `-c search_path=${schemas.store}`, pipeline: true },
  });
  await dataSource.initialize();
  const store = new app.ProfileStore(dataSource);

  const random = rng(11);
  const now = Date.now();
  const people = Array.from({ length: Math.max(options.people, Math.ceil(options.rows / 2)) }, () => randomBytes(32).toString('hex'));
  const profiles = new Map(people.map((id) => [id, app.emptyProfile(id)]));
  let serial = 0;
  const timings = { table: 0, model: 0, store: 0 };
  let rows = 0;
  let batches = 0;
  let events = 0;
  let dayRows = 0;
  try {
    for (let pass = 0; pass < 2; pass += 1) {
      for (let i = 0; i < people.length; i += options.people) {
        const chunk = people.slice(i, i + options.people);
        const batch: EngagementNormalizedV1[] = chunk.flatMap((personId) =>
          Array.from({ length: options.eventsPerPerson }, () => {
            const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
            const occurredAt = new Date(now - random() * 72 * HOUR_MS).toISOString();
            serial += 1;
            return {
              dedupeKey: `facebook:bench-writes-${serial}`,
              personId,
              contact: 'v1.aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbb.cccccccccccccccccc',
              source: random() < 0.5 ? 'facebook' : 'instagram',
              type: TYPES[Math.floor(random() * TYPES.length)],
              occurredAt,
              categories: [category],
              country: 'FR',
              ingestedAt: occurredAt,
              ...(random() < 0.5 ? { businessId: 'acme-sports' } : {}),
            } as EngagementNormalizedV1;
          }),
        );
        // The rows the raw writers write: what the store computes for the same batch (shapes and sizes).
        const own = new Map<string, EngagementNormalizedV1[]>(chunk.map((personId) => [personId, []]));
        for (const event of batch) own.get(event.personId)!.push(event);
        const updated = chunk.map((personId) => app.applyEngagement(profiles.get(personId)!, own.get(personId)!, decay));
        for (const p of updated) profiles.set(p.personId, p);
        const days = app.dayBucketsOf(batch, decay);
        const writers: [keyof typeof timings, () => Promise<unknown>][] = [
          ['table', () => admin.query(upsertProfiles(schemas.table), profileColumns(updated))],
          [
            'model',
            () =>
              admin.query(
                `WITH claimed AS (${insertDedupe(schemas.model, 1)}), days AS (${upsertDays(schemas.model, 4)}) ${upsertProfiles(schemas.model, 12)}`,
                [
                  batch.map((e) => e.dedupeKey),
                  batch.map((e) => e.personId),
                  batch.map((e) => e.occurredAt),
                  ...dayColumns(days),
                  ...profileColumns(updated),
                ],
              ),
          ],
          ['store', () => store.writeEngagement(batch, decay, async () => undefined)],
        ];
        for (let k = 0; k < writers.length; k += 1) {
          const [name, write] = writers[(k + batches) % writers.length];
          const started = process.hrtime.bigint();
          await write();
          timings[name] += Number(process.hrtime.bigint() - started) / 1e9;
        }
        rows += updated.length;
        batches += 1;
        events += batch.length;
        dayRows += days.length;
      }
    }
  } finally {
    await dataSource.destroy();
    for (const schema of Object.values(schemas)) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
  return {
    rows,
    batches,
    peoplePerBatch: options.people,
    eventsPerBatch: events / batches,
    dayRowsPerBatch: dayRows / batches,
    tableCeiling: rows / timings.table,
    modelCeiling: rows / timings.model,
    store: rows / timings.store,
  };
}

const PROFILE_COLUMNS = `person_id, contact, country, time_zone, interests, interests_at, total_events, events_by_source,
  events_by_business, last_seen_at, version, business_interests, service_windows`;

/** The profile upsert (13 parameters from `$from`), as ProfileStore writes it. */
function upsertProfiles(schema: string, from = 1): string {
  const types = [
    'char(64)',
    'text',
    'char(2)',
    'text',
    'jsonb',
    'timestamptz',
    'int',
    'jsonb',
    'jsonb',
    'timestamptz',
    'bigint',
    'jsonb',
    'jsonb',
  ];
  return `INSERT INTO ${schema}.person_profile (${PROFILE_COLUMNS}, updated_at)
    SELECT p.*, now() FROM unnest(${types.map((t, i) => `$${from + i}::${t}[]`).join(', ')}) AS p
    ON CONFLICT (person_id) DO UPDATE SET
      contact = EXCLUDED.contact, country = EXCLUDED.country, time_zone = EXCLUDED.time_zone,
      interests = EXCLUDED.interests, interests_at = EXCLUDED.interests_at, total_events = EXCLUDED.total_events,
      events_by_source = EXCLUDED.events_by_source, events_by_business = EXCLUDED.events_by_business,
      last_seen_at = EXCLUDED.last_seen_at, version = EXCLUDED.version,
      business_interests = EXCLUDED.business_interests, service_windows = EXCLUDED.service_windows, updated_at = now()`;
}

function insertDedupe(schema: string, from: number): string {
  return `INSERT INTO ${schema}.processed_event (dedupe_key, person_id, occurred_at)
    SELECT * FROM unnest($${from}::text[], $${from + 1}::char(64)[], $${from + 2}::timestamptz[])
    ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key`;
}

function upsertDays(schema: string, from: number): string {
  const types = ['char(64)', 'date', 'jsonb', 'jsonb', 'jsonb', 'jsonb', 'int', 'timestamptz'];
  return `INSERT INTO ${schema}.person_day_bucket (person_id, day, interests, business_interests, events_by_source, events_by_business,
                                                   total_events, last_seen_at)
    SELECT * FROM unnest(${types.map((t, i) => `$${from + i}::${t}[]`).join(', ')})
    ON CONFLICT (person_id, day) DO UPDATE SET
      interests = EXCLUDED.interests, business_interests = EXCLUDED.business_interests,
      events_by_source = EXCLUDED.events_by_source, events_by_business = EXCLUDED.events_by_business,
      total_events = EXCLUDED.total_events, last_seen_at = EXCLUDED.last_seen_at
    RETURNING 1`;
}

function profileColumns(profiles: readonly ProfileState[]): unknown[] {
  return [
    profiles.map((p) => p.personId),
    profiles.map((p) => p.contact),
    profiles.map((p) => p.country),
    profiles.map((p) => p.timeZone),
    profiles.map((p) => JSON.stringify(p.interests)),
    profiles.map((p) => p.interestsAt?.toISOString() ?? null),
    profiles.map((p) => p.totalEvents),
    profiles.map((p) => JSON.stringify(p.eventsBySource)),
    profiles.map((p) => JSON.stringify(p.eventsByBusiness)),
    profiles.map((p) => p.lastSeenAt?.toISOString() ?? null),
    profiles.map((p) => p.version),
    profiles.map((p) => JSON.stringify(p.businessInterests)),
    profiles.map((p) => JSON.stringify(p.serviceWindows)),
  ];
}

function dayColumns(days: readonly DayBucket[]): unknown[] {
  return [
    days.map((b) => b.personId),
    days.map((b) => b.day),
    days.map((b) => JSON.stringify(b.interests)),
    days.map((b) => JSON.stringify(b.businessInterests)),
    days.map((b) => JSON.stringify(b.eventsBySource)),
    days.map((b) => JSON.stringify(b.eventsByBusiness)),
    days.map((b) => b.totalEvents),
    days.map((b) => b.lastSeenAt.toISOString()),
  ];
}
