import { type DayBucket, type ProfileState } from '@wt/profile-model';
import { Injectable } from '@nestjs/common';
import { type ConsentNormalizedV1, type EngagementNormalizedV1, type InboundMessageV1, type PersonMergeV1 } from '@wt/contracts';
import { timeZoneForCountry } from '@wt/identity';
import { type PoolClient, type QueryConfig, type QueryResult } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { addBuckets, dayBucketsOf, dayOf, recomputeFromBuckets } from './day-buckets';
import { type ConsentChoice, mergeConsents, mergedProfileBase } from './person-merge';
import { type InterestDecay } from './interest-decay';
import { applyEngagement, applyInbound, emptyProfile } from './profile-state';

export interface ConsentRow {
  personId: string;
  purpose: string;
  businessId: string;
  status: 'granted' | 'revoked';
}

/** What an engagement batch did (see ProfileStore.writeEngagement). */
export interface EngagementOutcome {
  /** Events applied to profiles (new, of people not erased). */
  applied: number;
  /** Events dropped because their person is erased. */
  erased: number;
  /** The erased people among the batch's (their events were dropped). */
  erasedPeople: ReadonlySet<string>;
  /** Events already processed (replays). */
  duplicates: number;
  /** The profiles written (one per person with applied events), in personId order. */
  profiles: ProfileState[];
  /** Day-bucket rows written. */
  dayRows: number;
}

/** Time spent outside Postgres during `writeEngagement` (in-memory work, `beforeCommit`), in seconds. */
export interface EngagementTimings {
  notDatabase: number;
}

interface ProfileRow {
  person_id: string;
  contact: string | null;
  country: string | null;
  time_zone: string | null;
  interests: Record<string, number>;
  business_interests: Record<string, Record<string, number>>;
  interests_at: Date | null;
  recent_interests: Record<string, number>;
  total_events: number;
  events_by_source: Record<string, number>;
  events_by_business: Record<string, number>;
  last_seen_at: Date | null;
  service_windows: Record<string, string>;
  version: string;
}

/**
 * Set-based SQL for the hot path: one statement per step for a whole batch (unnest arrays),
 * rather than one ORM round trip per event.
 */
@Injectable()
export class ProfileStore {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', work);
  }

  /**
   * The database part of an engagement batch, in one transaction and two round trips (the statements
   * of each step go out together on the pipelined connection, see `inBatchTransaction`):
   *
   *   1. BEGIN; the per-person advisory locks in personId order (as `lockProfiles`); then, each
   *      statement (one snapshot each, taken after the locks were granted) seeing everything
   *      committed before: the erased among these people, the claim of the events of people not
   *      erased (`processed_event`, replays skipped; only the keys not claimed come back), their
   *      profiles (no FOR UPDATE needed: every writer of a profile holds its advisory lock), the day
   *      buckets already held for the batch's (person, UTC day) pairs, and their consents;
   *   2. after the new profiles and day buckets are computed in memory and `beforeCommit` has run
   *      (the snapshots acknowledged by Kafka): the profile upsert, the day-bucket upsert and COMMIT.
   *      Nothing is durable before the acknowledgement, as with writes then publish: a failure
   *      anywhere rolls the whole batch back and it comes again.
   *
   * `events` must have distinct dedupe keys. Values travel as bind parameters (arrays, and the
   * upserts' rows as one JSON document each), sent as they are: nothing is escaped.
   *
   * This replaced one multi-statement simple query per step with every value written into the SQL as
   * an escaped literal (by a hand-written twin of pg's `escapeLiteral`, kept because `escapeLiteral`
   * builds its result one character at a time). Measured side by side with
   * `tools/stack/bench-profile-batches.mjs` (the same 500-person batches through both stores and a
   * third one using `escapeLiteral`, in random order, 8 rounds; three runs, 2026-12-07, 2 shared cores):
   * batch latency 0.87-1.03 of the literals' (median), client CPU 0.96-1.06, Postgres CPU 0.93-0.94;
   * with `escapeLiteral` the literals took 1.63-1.84 times the latency and 2.3 times the client CPU.
   * Method and figures: docs/benchmarks.md.
   */
  async writeEngagement(
    events: readonly EngagementNormalizedV1[],
    decay: InterestDecay,
    beforeCommit: (profiles: readonly ProfileState[], consents: ReadonlyMap<string, ConsentRow[]>) => Promise<void>,
    timings: EngagementTimings = { notDatabase: 0 },
  ): Promise<EngagementOutcome> {
    const outcome: EngagementOutcome = { applied: 0, erased: 0, erasedPeople: new Set(), duplicates: 0, profiles: [], dayRows: 0 };
    if (events.length === 0) return outcome;
    const ids = [...new Set(events.map((e) => e.personId))].sort();
    const pairs = new Map<string, [string, string]>();
    for (const e of events) {
      const day = dayOf(Date.parse(e.occurredAt));
      pairs.set(`${e.personId}|${day}`, [e.personId, day]);
    }
    return this.inBatchTransaction(async (client) => {
      const [, , erasedRows, notClaimedRows, profileRows, bucketRows, consentRows] = await sendInOrder(client, [
        ...lockedBatchStart(ids),
        {
          text: `WITH e AS (
                   SELECT * FROM unnest($1::text[], $2::char(64)[], $3::timestamptz[]) AS e(dedupe_key, person_id, occurred_at)
                 ), claimed AS (
                   INSERT INTO processed_event (dedupe_key, person_id, occurred_at)
                   SELECT * FROM e WHERE NOT EXISTS (SELECT 1 FROM erased_person x WHERE x.person_id = e.person_id)
                   ON CONFLICT (dedupe_key) DO NOTHING
                   RETURNING dedupe_key
                 )
                 SELECT dedupe_key FROM e EXCEPT ALL SELECT dedupe_key FROM claimed`,
          values: [events.map((e) => e.dedupeKey), events.map((e) => e.personId), events.map((e) => e.occurredAt)],
        },
        { text: `SELECT * FROM person_profile WHERE person_id = ANY($1::char(64)[])`, values: [ids] },
        {
          text: `SELECT b.person_id, to_char(b.day, 'YYYY-MM-DD') AS day, b.interests, b.business_interests, b.events_by_source,
                        b.events_by_business, b.total_events, b.last_seen_at
                 FROM unnest($1::char(64)[], $2::date[]) AS k(person_id, day)
                 JOIN person_day_bucket b ON b.person_id = k.person_id AND b.day = k.day`,
          values: [[...pairs.values()].map(([p]) => p), [...pairs.values()].map(([, d]) => d)],
        },
        consentsStatement(ids),
      ]);
      const computing = process.hrtime.bigint();
      const erased = new Set((erasedRows.rows as { person_id: string }[]).map((r) => r.person_id));
      outcome.erasedPeople = erased;
      // The keys not claimed (usually few): replays, and the events of erased people.
      const notClaimed = new Set((notClaimedRows.rows as { dedupe_key: string }[]).map((r) => r.dedupe_key));
      const stored = new Map((profileRows.rows as ProfileRow[]).map((row) => [row.person_id, profileOf(row)]));
      const held = new Map((bucketRows.rows as BucketRow[]).map((row) => [`${row.person_id}|${row.day}`, bucketOf(row)]));
      const consents = consentsByPerson(consentRows.rows as ConsentStateRow[]);
      const byPerson = new Map<string, EngagementNormalizedV1[]>();
      const applied: EngagementNormalizedV1[] = [];
      for (const event of events) {
        if (erased.has(event.personId)) outcome.erased += 1;
        else if (notClaimed.has(event.dedupeKey)) outcome.duplicates += 1;
        else {
          applied.push(event);
          const own = byPerson.get(event.personId);
          if (own) own.push(event);
          else byPerson.set(event.personId, [event]);
        }
      }
      outcome.applied = applied.length;
      if (applied.length === 0) {
        timings.notDatabase += seconds(computing);
        await client.query('COMMIT');
        return outcome;
      }
      const profiles = [...byPerson.keys()]
        .sort()
        .map((personId) => applyEngagement(stored.get(personId) ?? emptyProfile(personId), byPerson.get(personId)!, decay));
      const days = dayBucketsOf(applied, decay)
        .map((bucket) => {
          const before = held.get(`${bucket.personId}|${bucket.day}`);
          return before ? addBuckets(before, bucket) : bucket;
        })
        .sort((a, b) => (a.personId === b.personId ? (a.day < b.day ? -1 : 1) : a.personId < b.personId ? -1 : 1));
      outcome.profiles = profiles;
      outcome.dayRows = days.length;
      const profileDoc = JSON.stringify(profiles.map(profileRecord));
      const dayDoc = JSON.stringify(days.map(bucketRecord));
      timings.notDatabase += seconds(computing);
      const waiting = process.hrtime.bigint();
      await beforeCommit(profiles, consents);
      timings.notDatabase += seconds(waiting);
      await sendInOrder(client, [
        { text: UPSERT_PROFILES_FROM_JSON, values: [profileDoc] },
        { text: UPSERT_DAY_BUCKETS_FROM_JSON, values: [dayDoc] },
        { text: 'COMMIT' },
      ]);
      return outcome;
    });
  }

  /**
   * A consent batch in one transaction and two round trips (as `writeEngagement`):
   *
   *   1. BEGIN; the per-person advisory locks in personId order; then, each statement seeing
   *      everything committed before the locks were granted: the erased among these people; the
   *      changes of people not erased appended to the ledger and moved into the current state (as
   *      `recordConsents`, in one statement); their profiles; their current consents (after the change);
   *   2. after the profiles are updated in memory (contact, country and time zone filled when
   *      unknown, version + 1) and `beforeCommit` has run (the snapshots acknowledged by Kafka):
   *      the profile upsert and COMMIT. A failure anywhere rolls the whole batch back.
   *
   * Returns the profiles written (one per person not erased), in personId order; `onErased` is told
   * the erased people among the batch (their changes were not applied).
   */
  async writeConsents(
    all: readonly ConsentNormalizedV1[],
    beforeCommit: (profiles: readonly ProfileState[], consents: ReadonlyMap<string, ConsentRow[]>) => Promise<void>,
    onErased: (erased: ReadonlySet<string>) => void = () => undefined,
  ): Promise<ProfileState[]> {
    if (all.length === 0) return [];
    const ids = [...new Set(all.map((c) => c.personId))].sort();
    return this.inBatchTransaction(async (client) => {
      const [, , erasedRows, , profileRows, consentRows] = await sendInOrder(client, [
        ...lockedBatchStart(ids),
        {
          // The changes of people not erased, appended to the ledger (a replay is a no-op) and, the
          // latest per key, moved into the current state when newer than the stored choice.
          text: `WITH c AS (
                   SELECT * FROM unnest($1::char(64)[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
                                        $7::text[], $8::text[], $9::text[])
                     AS c(person_id, purpose, business_id, status, occurred_at, source, asserted_via, asserted_by, asserted_key_id)
                   WHERE NOT EXISTS (SELECT 1 FROM erased_person x WHERE x.person_id = c.person_id)
                 ), ledger AS (
                   INSERT INTO consent_ledger (person_id, purpose, business_id, status, occurred_at, source, asserted_via, asserted_by,
                                               asserted_key_id)
                   SELECT * FROM c
                   ON CONFLICT DO NOTHING
                 )
                 INSERT INTO consent_state (person_id, purpose, business_id, status, occurred_at, source)
                 SELECT DISTINCT ON (person_id, purpose, business_id) person_id, purpose, business_id, status, occurred_at, source
                 FROM c
                 ORDER BY person_id, purpose, business_id, occurred_at DESC, status DESC
                 ON CONFLICT (person_id, purpose, business_id) DO UPDATE SET
                   status = EXCLUDED.status, occurred_at = EXCLUDED.occurred_at, source = EXCLUDED.source
                 WHERE consent_state.occurred_at < EXCLUDED.occurred_at`,
          values: [
            all.map((c) => c.personId),
            all.map((c) => c.purpose),
            all.map((c) => c.businessId ?? ''),
            all.map((c) => c.status),
            all.map((c) => c.occurredAt),
            all.map((c) => c.source),
            all.map((c) => c.assertedVia ?? null),
            all.map((c) => c.assertedBy ?? null),
            all.map((c) => c.assertedKeyId ?? null),
          ],
        },
        { text: `SELECT * FROM person_profile WHERE person_id = ANY($1::char(64)[])`, values: [ids] },
        consentsStatement(ids),
      ]);
      const erased = new Set((erasedRows.rows as { person_id: string }[]).map((r) => r.person_id));
      onErased(erased);
      const latestOf = new Map<string, ConsentNormalizedV1>();
      for (const c of all) if (!erased.has(c.personId)) latestOf.set(c.personId, c);
      if (latestOf.size === 0) {
        await client.query('COMMIT');
        return [];
      }
      const stored = new Map((profileRows.rows as ProfileRow[]).map((row) => [row.person_id, profileOf(row)]));
      const consents = consentsByPerson(consentRows.rows as ConsentStateRow[]);
      const profiles = ids
        .filter((personId) => latestOf.has(personId))
        .map((personId): ProfileState => {
          const profile = stored.get(personId) ?? emptyProfile(personId);
          const latest = latestOf.get(personId)!;
          const country = profile.country ?? latest.country ?? null;
          return {
            ...profile,
            contact: profile.contact ?? latest.contact ?? null,
            country,
            timeZone: profile.timeZone ?? timeZoneForCountry(country ?? undefined) ?? null,
            version: profile.version + 1,
          };
        });
      await beforeCommit(profiles, consents);
      await sendInOrder(client, [
        { text: UPSERT_PROFILES_FROM_JSON, values: [JSON.stringify(profiles.map(profileRecord))] },
        { text: 'COMMIT' },
      ]);
      return profiles;
    });
  }

  /**
   * Runs `work` on one pooled connection, outside TypeORM's transaction wrapper: `work` starts the
   * transaction (`lockedBatchStart`) and ends it with COMMIT; if it throws, the transaction is rolled
   * back. On a pipelined connection (the service's pool: `pipeline` in app.module) the statements
   * `work` hands to `sendInOrder` together cost one round trip.
   */
  private async inBatchTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      return await work(client);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Records events as processed; returns the keys that were new (the others are replays). */
  async claimEvents(manager: EntityManager, events: readonly EngagementNormalizedV1[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows: { dedupe_key: string }[] = await manager.query(
      `INSERT INTO processed_event (dedupe_key, person_id, occurred_at)
       SELECT * FROM unnest($1::text[], $2::char(64)[], $3::timestamptz[])
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING dedupe_key`,
      [events.map((e) => e.dedupeKey), events.map((e) => e.personId), events.map((e) => e.occurredAt)],
    );
    return new Set(rows.map((row) => row.dedupe_key));
  }

  /**
   * Loads and locks the profiles of these people (in a stable order, so batches cannot deadlock).
   * The lock is a transaction-scoped advisory lock per personId, taken before reading: a row lock
   * alone does not exist for a person without a row yet, and two batches (engagement and consent on
   * different partitions) would both build a new profile from empty and the last upsert would win.
   */
  async lockProfiles(manager: EntityManager, personIds: readonly string[]): Promise<Map<string, ProfileState>> {
    const sorted = [...new Set(personIds)].sort();
    if (sorted.length === 0) return new Map();
    // pg_advisory_xact_lock is volatile, so it is evaluated after the sort: locks are taken in order.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended(id, 0)) FROM unnest($1::text[]) AS id ORDER BY id`, [sorted]);
    const rows: ProfileRow[] = await manager.query(
      `SELECT * FROM person_profile WHERE person_id = ANY($1::char(64)[]) ORDER BY person_id FOR UPDATE`,
      [sorted],
    );
    const profiles = new Map(sorted.map((id) => [id, emptyProfile(id)]));
    for (const row of rows) profiles.set(row.person_id, profileOf(row));
    return profiles;
  }

  async saveProfiles(manager: EntityManager, profiles: readonly ProfileState[]): Promise<void> {
    if (profiles.length === 0) return;
    const sorted = [...profiles].sort((a, b) => (a.personId < b.personId ? -1 : 1));
    await manager.query(
      `${INSERT_PROFILES}
       SELECT p.*, now() FROM unnest($1::char(64)[], $2::text[], $3::char(2)[], $4::text[], $5::jsonb[], $6::timestamptz[],
                                     $7::int[], $8::jsonb[], $9::jsonb[], $10::timestamptz[], $11::bigint[],
                                     $12::jsonb[], $13::jsonb[], $14::jsonb[]) AS p
       ${ON_CONFLICT_UPDATE_PROFILE}`,
      [
        sorted.map((p) => p.personId),
        sorted.map((p) => p.contact),
        sorted.map((p) => p.country),
        sorted.map((p) => p.timeZone),
        sorted.map((p) => JSON.stringify(p.interests)),
        sorted.map((p) => p.interestsAt?.toISOString() ?? null),
        sorted.map((p) => p.totalEvents),
        sorted.map((p) => JSON.stringify(p.eventsBySource)),
        sorted.map((p) => JSON.stringify(p.eventsByBusiness)),
        sorted.map((p) => p.lastSeenAt?.toISOString() ?? null),
        sorted.map((p) => p.version),
        sorted.map((p) => JSON.stringify(p.businessInterests)),
        sorted.map((p) => JSON.stringify(p.serviceWindows)),
        sorted.map((p) => JSON.stringify(p.recentInterests ?? {})),
      ],
    );
  }

  /**
   * Adds a batch's contributions to the people's day buckets (retention), in the batch's
   * transaction, under the per-person locks of `lockProfiles`: the days already held are read in
   * one statement, added to in memory, and written back in one upsert.
   */
  async addDayBuckets(manager: EntityManager, buckets: readonly DayBucket[]): Promise<void> {
    if (buckets.length === 0) return;
    const sorted = [...buckets].sort((a, b) => (a.personId === b.personId ? (a.day < b.day ? -1 : 1) : a.personId < b.personId ? -1 : 1));
    const held = new Map(
      (
        await this.dayBucketsWhere(manager, `(person_id, day) IN (SELECT * FROM unnest($1::char(64)[], $2::date[]))`, [
          sorted.map((b) => b.personId),
          sorted.map((b) => b.day),
        ])
      ).map((b) => [`${b.personId}|${b.day}`, b]),
    );
    const merged = sorted.map((bucket) => {
      const before = held.get(`${bucket.personId}|${bucket.day}`);
      return before ? addBuckets(before, bucket) : bucket;
    });
    await manager.query(
      `INSERT INTO person_day_bucket (person_id, day, interests, business_interests, events_by_source, events_by_business, total_events, last_seen_at)
       SELECT * FROM unnest($1::char(64)[], $2::date[], $3::jsonb[], $4::jsonb[], $5::jsonb[], $6::jsonb[], $7::int[], $8::timestamptz[])
       ON CONFLICT (person_id, day) DO UPDATE SET
         interests = EXCLUDED.interests, business_interests = EXCLUDED.business_interests,
         events_by_source = EXCLUDED.events_by_source, events_by_business = EXCLUDED.events_by_business,
         total_events = EXCLUDED.total_events, last_seen_at = EXCLUDED.last_seen_at`,
      [
        merged.map((b) => b.personId),
        merged.map((b) => b.day),
        merged.map((b) => JSON.stringify(b.interests)),
        merged.map((b) => JSON.stringify(b.businessInterests)),
        merged.map((b) => JSON.stringify(b.eventsBySource)),
        merged.map((b) => JSON.stringify(b.eventsByBusiness)),
        merged.map((b) => b.totalEvents),
        merged.map((b) => b.lastSeenAt.toISOString()),
      ],
    );
  }

  /** Up to `limit` people holding days before `cutoffDay` (`YYYY-MM-DD`), in personId order. */
  async peopleWithDaysBefore(cutoffDay: string, limit: number): Promise<string[]> {
    const rows: { person_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT person_id FROM person_day_bucket WHERE day < $1::date ORDER BY person_id LIMIT $2`,
      [cutoffDay, limit],
    );
    return rows.map((r) => r.person_id);
  }

  /** Deletes these people's days before `cutoffDay`; returns how many days were deleted. */
  async deleteDaysBefore(manager: EntityManager, personIds: readonly string[], cutoffDay: string): Promise<number> {
    const [, deleted]: [unknown, number] = await manager.query(
      `DELETE FROM person_day_bucket WHERE person_id = ANY($1::char(64)[]) AND day < $2::date`,
      [[...personIds], cutoffDay],
    );
    return deleted;
  }

  async dayBucketsOf(manager: EntityManager, personIds: readonly string[]): Promise<DayBucket[]> {
    return this.dayBucketsWhere(manager, `person_id = ANY($1::char(64)[])`, [[...personIds]]);
  }

  private async dayBucketsWhere(manager: EntityManager, where: string, params: unknown[]): Promise<DayBucket[]> {
    const rows: BucketRow[] = await manager.query(
      `SELECT person_id, to_char(day, 'YYYY-MM-DD') AS day, interests, business_interests, events_by_source, events_by_business,
              total_events, last_seen_at
       FROM person_day_bucket WHERE ${where} ORDER BY person_id, day`,
      params,
    );
    return rows.map(bucketOf);
  }

  /** Deletes these people's dedupe records of events dated before `before`; returns how many. */
  async deleteProcessedBefore(manager: EntityManager, personIds: readonly string[], before: Date): Promise<number> {
    const [, deleted]: [unknown, number] = await manager.query(
      `DELETE FROM processed_event WHERE person_id = ANY($1::char(64)[]) AND occurred_at < $2`,
      [[...personIds], before.toISOString()],
    );
    return deleted;
  }

  /**
   * Appends consent changes to the ledger (a replay is a no-op) and moves the current state
   * when a change is newer than what is known. Returns the people whose state may have changed.
   */
  async recordConsents(manager: EntityManager, changes: readonly ConsentNormalizedV1[]): Promise<void> {
    if (changes.length === 0) return;
    const cols = [
      changes.map((c) => c.personId),
      changes.map((c) => c.purpose),
      changes.map((c) => c.businessId ?? ''),
      changes.map((c) => c.status),
      changes.map((c) => c.occurredAt),
      changes.map((c) => c.source),
    ];
    await manager.query(
      `INSERT INTO consent_ledger (person_id, purpose, business_id, status, occurred_at, source, asserted_via, asserted_by, asserted_key_id)
       SELECT * FROM unnest($1::char(64)[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[])
       ON CONFLICT DO NOTHING`,
      [
        ...cols,
        changes.map((c) => c.assertedVia ?? null),
        changes.map((c) => c.assertedBy ?? null),
        changes.map((c) => c.assertedKeyId ?? null),
      ],
    );
    // Latest choice per key within the batch, then only if newer than the stored one.
    await manager.query(
      `INSERT INTO consent_state (person_id, purpose, business_id, status, occurred_at, source)
       SELECT DISTINCT ON (person_id, purpose, business_id) *
       FROM unnest($1::char(64)[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
            AS c(person_id, purpose, business_id, status, occurred_at, source)
       ORDER BY person_id, purpose, business_id, occurred_at DESC, status DESC
       ON CONFLICT (person_id, purpose, business_id) DO UPDATE SET
         status = EXCLUDED.status, occurred_at = EXCLUDED.occurred_at, source = EXCLUDED.source
       WHERE consent_state.occurred_at < EXCLUDED.occurred_at`,
      cols,
    );
  }

  async consentsOf(manager: EntityManager, personIds: readonly string[]): Promise<ConsentRow[]> {
    const rows: { person_id: string; purpose: string; business_id: string; status: 'granted' | 'revoked' }[] = await manager.query(
      `SELECT person_id, purpose, business_id, status FROM consent_state WHERE person_id = ANY($1::char(64)[])`,
      [[...new Set(personIds)]],
    );
    return rows.map((r) => ({ personId: r.person_id, purpose: r.purpose, businessId: r.business_id, status: r.status }));
  }

  /**
   * Inbound messages in one transaction: the profiles locked, erased people's messages dropped
   * (`onErased` is told who), the customer-service windows opened, then `beforeCommit` (the
   * snapshots acknowledged by Kafka) and COMMIT.
   */
  async writeInbound(
    all: readonly InboundMessageV1[],
    beforeCommit: (profiles: readonly ProfileState[], consents: ReadonlyMap<string, ConsentRow[]>) => Promise<void>,
    onErased: (erased: ReadonlySet<string>) => void = () => undefined,
  ): Promise<void> {
    await this.transaction(async (manager) => {
      const personIds = all.map((m) => m.personId);
      const locked = await this.lockProfiles(manager, personIds);
      const erased = await this.erasedAmong(manager, personIds);
      onErased(erased);
      const messages = all.filter((m) => !erased.has(m.personId));
      if (messages.length === 0) return;
      const updated = [...locked.values()]
        .filter((profile) => !erased.has(profile.personId))
        .map(
          (profile) =>
            [
              profile,
              applyInbound(
                profile,
                messages.filter((m) => m.personId === profile.personId),
              ),
            ] as const,
        )
        .filter(([before, after]) => before !== after)
        .map(([, after]) => after);
      await this.saveProfiles(manager, updated);
      await beforeCommit(updated, await this.consentsByPerson(manager, updated));
    });
  }

  /**
   * Where records about people merged into another land (`internal.identity.merges.v1`): each value
   * naming a merged person is given the person it was merged into (its `contact`, sealed under the
   * merged person's key, is dropped). One round trip; values of other people are returned as they are.
   */
  async redirectMerged<T extends { personId: string; contact?: string }>(values: readonly T[]): Promise<T[]> {
    if (values.length === 0) return [...values];
    const rows: { from_person_id: string; into_person_id: string }[] = await this.dataSource.query(
      `SELECT from_person_id, into_person_id FROM person_merge WHERE from_person_id = ANY($1::char(64)[])`,
      [[...new Set(values.map((v) => v.personId))]],
    );
    if (rows.length === 0) return [...values];
    const into = new Map(rows.map((r) => [r.from_person_id, r.into_person_id]));
    return values.map((v) => {
      const target = into.get(v.personId);
      if (!target) return v;
      const { contact: _sealedForTheOther, ...rest } = v;
      return { ...rest, personId: target } as T;
    });
  }

  /**
   * Merges BSUID-only people into the number's person they turned out to be, each in one transaction
   * under both people's locks: the merge recorded (a replay does nothing), the consent ledger's rows
   * moved, the current consents merged without widening any (`mergeConsents`: a revocation on either
   * side wins), the day buckets and dedupe records moved, the profile recomputed from all the days,
   * the merged person's profile deleted. `beforeCommit` gets the merged profile to publish, with its
   * consents, and the merged person (whose snapshot is to be deleted). An erased person on either side:
   * nothing is moved (recorded, so later records are not redirected to an erased person either).
   */
  async mergePeople(
    merges: readonly PersonMergeV1[],
    decay: InterestDecay,
    beforeCommit: (profiles: readonly ProfileState[], consents: ReadonlyMap<string, ConsentRow[]>, mergedAway: string) => Promise<void>,
  ): Promise<number> {
    let applied = 0;
    for (const merge of merges) {
      const { fromPersonId: from, intoPersonId: into } = merge;
      if (from === into) continue;
      const done = await this.transaction(async (manager) => {
        const locked = await this.lockProfiles(manager, [from, into]);
        const erased = await this.erasedAmong(manager, [from, into]);
        const recorded: unknown[] = await manager.query(
          `INSERT INTO person_merge (from_person_id, into_person_id, via, merged_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (from_person_id) DO NOTHING RETURNING 1`,
          [from, into, merge.via, merge.mergedAt],
        );
        if (recorded.length === 0 || erased.size > 0) return false;
        // Consents: the ledger's history moves (a row both sides hold stays once), the states merge.
        await manager.query(
          `UPDATE consent_ledger l SET person_id = $2 WHERE l.person_id = $1 AND NOT EXISTS (
             SELECT 1 FROM consent_ledger o WHERE o.person_id = $2 AND o.purpose = l.purpose AND o.business_id = l.business_id
               AND o.occurred_at = l.occurred_at AND o.status = l.status AND o.source = l.source)`,
          [from, into],
        );
        await manager.query(`DELETE FROM consent_ledger WHERE person_id = $1`, [from]);
        const states: (ConsentChoice & { personId: string })[] = (
          (await manager.query(
            `SELECT person_id, purpose, business_id, status, occurred_at, source FROM consent_state WHERE person_id = ANY($1::char(64)[])`,
            [[from, into]],
          )) as {
            person_id: string;
            purpose: string;
            business_id: string;
            status: 'granted' | 'revoked';
            occurred_at: Date;
            source: string;
          }[]
        ).map((r) => ({
          personId: r.person_id,
          purpose: r.purpose,
          businessId: r.business_id,
          status: r.status,
          occurredAt: new Date(r.occurred_at),
          source: r.source,
        }));
        const consents = mergeConsents(
          states.filter((s) => s.personId === from),
          states.filter((s) => s.personId === into),
        );
        await manager.query(`DELETE FROM consent_state WHERE person_id = ANY($1::char(64)[])`, [[from, into]]);
        if (consents.length > 0)
          await manager.query(
            `INSERT INTO consent_state (person_id, purpose, business_id, status, occurred_at, source)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])`,
            [
              into,
              consents.map((c) => c.purpose),
              consents.map((c) => c.businessId),
              consents.map((c) => c.status),
              consents.map((c) => c.occurredAt.toISOString()),
              consents.map((c) => c.source),
            ],
          );
        // Engagement: the days move (added to the days the number's person holds), and their dedupe records.
        const fromDays = await this.dayBucketsOf(manager, [from]);
        await manager.query(`DELETE FROM person_day_bucket WHERE person_id = $1`, [from]);
        await this.addDayBuckets(
          manager,
          fromDays.map((b) => ({ ...b, personId: into })),
        );
        await manager.query(`UPDATE processed_event SET person_id = $2 WHERE person_id = $1`, [from, into]);
        const before = { from: locked.get(from) ?? emptyProfile(from), into: locked.get(into) ?? emptyProfile(into) };
        const base = mergedProfileBase(before.from, before.into);
        const merged = {
          ...(fromDays.length > 0 ? recomputeFromBuckets(base, await this.dayBucketsOf(manager, [into]), decay) : base),
          version: base.version + 1,
        };
        await manager.query(`DELETE FROM person_profile WHERE person_id = $1`, [from]);
        await this.saveProfiles(manager, [merged]);
        await beforeCommit(
          [merged],
          new Map([[into, consents.map((c) => ({ personId: into, purpose: c.purpose, businessId: c.businessId, status: c.status }))]]),
          from,
        );
        return true;
      });
      if (done) applied += 1;
    }
    return applied;
  }

  /** The erased people among these. */
  async erasedAmong(manager: EntityManager, personIds: readonly string[]): Promise<Set<string>> {
    if (personIds.length === 0) return new Set();
    const rows: { person_id: string }[] = await manager.query(`SELECT person_id FROM erased_person WHERE person_id = ANY($1::char(64)[])`, [
      [...new Set(personIds)],
    ]);
    return new Set(rows.map((r) => r.person_id));
  }

  /** The current consents of these people, by person. */
  private async consentsByPerson(manager: EntityManager, profiles: readonly ProfileState[]): Promise<Map<string, ConsentRow[]>> {
    const byPerson = new Map<string, ConsentRow[]>();
    for (const row of await this.consentsOf(
      manager,
      profiles.map((p) => p.personId),
    )) {
      const own = byPerson.get(row.personId);
      if (own) own.push(row);
      else byPerson.set(row.personId, [row]);
    }
    return byPerson;
  }
}

interface BucketRow {
  person_id: string;
  day: string;
  interests: Record<string, number>;
  business_interests: Record<string, Record<string, number>>;
  events_by_source: Record<string, number>;
  events_by_business: Record<string, number>;
  total_events: number;
  last_seen_at: Date;
}

interface ConsentStateRow {
  person_id: string;
  purpose: string;
  business_id: string;
  status: 'granted' | 'revoked';
}

/**
 * BEGIN, the per-person advisory locks in personId order, then the erased among these people (three
 * statements, the third's rows the erased). The locks are a statement of their own, before any read:
 * in READ COMMITTED each statement reads from a snapshot taken when it starts, so the reads that
 * follow see everything committed by the batch that held a lock before.
 */
function lockedBatchStart(ids: readonly string[]): QueryConfig[] {
  return [
    { text: 'START TRANSACTION ISOLATION LEVEL READ COMMITTED' },
    // pg_advisory_xact_lock is volatile, so it is evaluated after the sort: locks are taken in order.
    { text: `SELECT pg_advisory_xact_lock(hashtextextended(id, 0)) FROM unnest($1::text[]) AS id ORDER BY id`, values: [ids] },
    { text: `SELECT person_id FROM erased_person WHERE person_id = ANY($1::char(64)[])`, values: [ids] },
  ];
}

/** The current consents of these people (`ConsentStateRow`s). */
function consentsStatement(ids: readonly string[]): QueryConfig {
  return { text: `SELECT person_id, purpose, business_id, status FROM consent_state WHERE person_id = ANY($1::char(64)[])`, values: [ids] };
}

/**
 * Runs these statements on one connection, in order, and returns their results in the same order.
 * On a pipelined connection they are all sent at once (one round trip; the server still runs them one
 * after the other); otherwise each waits for the previous one. If one fails, the transaction it runs
 * in is aborted, so the statements after it fail too (a COMMIT among them rolls back) and the first
 * error is thrown.
 */
async function sendInOrder(client: PoolClient, statements: readonly QueryConfig[]): Promise<QueryResult[]> {
  if (client.pipeline) return Promise.all(statements.map((statement) => client.query(statement)));
  const results: QueryResult[] = [];
  for (const statement of statements) results.push(await client.query(statement));
  return results;
}

/** Current consent rows, grouped by person. */
function consentsByPerson(rows: readonly ConsentStateRow[]): Map<string, ConsentRow[]> {
  const consents = new Map<string, ConsentRow[]>();
  for (const r of rows) {
    const row: ConsentRow = { personId: r.person_id, purpose: r.purpose, businessId: r.business_id, status: r.status };
    const own = consents.get(row.personId);
    if (own) own.push(row);
    else consents.set(row.personId, [row]);
  }
  return consents;
}

const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;

function profileOf(row: ProfileRow): ProfileState {
  return {
    personId: row.person_id,
    contact: row.contact,
    country: row.country,
    timeZone: row.time_zone,
    interests: row.interests,
    businessInterests: row.business_interests,
    interestsAt: row.interests_at,
    recentInterests: row.recent_interests ?? {},
    totalEvents: row.total_events,
    eventsBySource: row.events_by_source,
    eventsByBusiness: row.events_by_business,
    lastSeenAt: row.last_seen_at,
    serviceWindows: row.service_windows,
    version: Number(row.version),
  };
}

function bucketOf(r: BucketRow): DayBucket {
  return {
    personId: r.person_id,
    day: r.day,
    interests: r.interests,
    businessInterests: r.business_interests,
    eventsBySource: r.events_by_source,
    eventsByBusiness: r.events_by_business,
    totalEvents: r.total_events,
    lastSeenAt: new Date(r.last_seen_at),
  };
}

/** A profile as a JSON record for `UPSERT_PROFILES_FROM_JSON` (dates serialise as ISO 8601). */
function profileRecord(p: ProfileState): Omit<ProfileRow, 'version'> & { version: number } {
  return {
    person_id: p.personId,
    contact: p.contact,
    country: p.country,
    time_zone: p.timeZone,
    interests: p.interests,
    business_interests: p.businessInterests,
    interests_at: p.interestsAt,
    recent_interests: p.recentInterests,
    total_events: p.totalEvents,
    events_by_source: p.eventsBySource,
    events_by_business: p.eventsByBusiness,
    last_seen_at: p.lastSeenAt,
    service_windows: p.serviceWindows,
    version: p.version,
  };
}

function bucketRecord(b: DayBucket): BucketRow {
  return {
    person_id: b.personId,
    day: b.day,
    interests: b.interests,
    business_interests: b.businessInterests,
    events_by_source: b.eventsBySource,
    events_by_business: b.eventsByBusiness,
    total_events: b.totalEvents,
    last_seen_at: b.lastSeenAt,
  };
}

/** The head of both profile upserts (`saveProfiles` and `UPSERT_PROFILES_FROM_JSON`): every column, in their SELECTs' order. */
const INSERT_PROFILES = `INSERT INTO person_profile (person_id, contact, country, time_zone, interests, interests_at, total_events,
                                   events_by_source, events_by_business, last_seen_at, version,
                                   business_interests, service_windows, recent_interests, updated_at)`;

/** The tail of both profile upserts: a stored profile takes every column of the new one. */
const ON_CONFLICT_UPDATE_PROFILE = `ON CONFLICT (person_id) DO UPDATE SET
         contact = EXCLUDED.contact, country = EXCLUDED.country, time_zone = EXCLUDED.time_zone,
         interests = EXCLUDED.interests, interests_at = EXCLUDED.interests_at, total_events = EXCLUDED.total_events,
         events_by_source = EXCLUDED.events_by_source, events_by_business = EXCLUDED.events_by_business,
         last_seen_at = EXCLUDED.last_seen_at, version = EXCLUDED.version,
         business_interests = EXCLUDED.business_interests, service_windows = EXCLUDED.service_windows,
         recent_interests = EXCLUDED.recent_interests, updated_at = now()`;

/** The profile upsert of `saveProfiles`, from a JSON array of `profileRecord`s (parameter $1). */
const UPSERT_PROFILES_FROM_JSON = `${INSERT_PROFILES}
  SELECT p.person_id, p.contact, p.country, p.time_zone, p.interests, p.interests_at, p.total_events,
         p.events_by_source, p.events_by_business, p.last_seen_at, p.version, p.business_interests, p.service_windows,
         COALESCE(p.recent_interests, '{}'), now()
  FROM json_to_recordset($1::json) AS p(person_id char(64), contact text, country char(2), time_zone text, interests jsonb,
       interests_at timestamptz, total_events int, events_by_source jsonb, events_by_business jsonb, last_seen_at timestamptz,
       version bigint, business_interests jsonb, service_windows jsonb, recent_interests jsonb)
  ${ON_CONFLICT_UPDATE_PROFILE}`;

/** The day-bucket upsert of `addDayBuckets` (rows already merged), from a JSON array of `bucketRecord`s (parameter $1). */
const UPSERT_DAY_BUCKETS_FROM_JSON = `INSERT INTO person_day_bucket (person_id, day, interests, business_interests, events_by_source,
                                                             events_by_business, total_events, last_seen_at)
  SELECT b.person_id, b.day, b.interests, b.business_interests, b.events_by_source, b.events_by_business, b.total_events, b.last_seen_at
  FROM json_to_recordset($1::json) AS b(person_id char(64), day date, interests jsonb, business_interests jsonb,
       events_by_source jsonb, events_by_business jsonb, total_events int, last_seen_at timestamptz)
  ON CONFLICT (person_id, day) DO UPDATE SET
    interests = EXCLUDED.interests, business_interests = EXCLUDED.business_interests,
    events_by_source = EXCLUDED.events_by_source, events_by_business = EXCLUDED.events_by_business,
    total_events = EXCLUDED.total_events, last_seen_at = EXCLUDED.last_seen_at`;
