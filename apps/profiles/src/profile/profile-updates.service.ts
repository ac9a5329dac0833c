import { type ProfileState } from '@wt/profile-model';
import { Injectable } from '@nestjs/common';
import { type ConsentNormalizedV1, type PersonMergeV1, Topic, type TopicPayload } from '@wt/contracts';
import { type ConsumedRecord, KafkaPublisher, type RecordBatch, traceHeaders } from '@wt/kafka';
import { counter, histogram } from '@wt/observability';
import { ProfilesConfig } from '../profiles.config';
import { retentionCutoff } from './day-buckets';
import { chunkByPeople } from './people-chunks';
import { InterestDecay } from './interest-decay';
import { toSnapshot } from './profile-snapshot';
import { type ConsentRow, ProfileStore } from './profile.store';

const applied = counter({ name: 'wt_profile_events_total', help: 'Engagement events by effect on profiles', labelNames: ['effect'] });
/**
 * Records profiles received and did not apply, by topic and reason (`erased_person`: the person was
 * erased; each such record is also dead-lettered with that reason). Nothing is dropped silently.
 */
const dropped = counter({
  name: 'wt_profile_dropped_total',
  help: 'Records profiles did not apply, by topic and reason',
  labelNames: ['topic', 'reason'],
});
const ERASED_DETAIL = 'personId: the person was erased; nothing of theirs is applied (this record is kept here, not applied)';

/** Dead-letters the records of erased people, and counts them. */
function rejectErased<T extends Topic.EngagementNormalizedV1 | Topic.ConsentNormalizedV1 | Topic.WhatsappInboundV1>(
  batch: RecordBatch<T>,
  records: readonly ConsumedRecord<TopicPayload<T>>[],
  erased: ReadonlySet<string>,
): void {
  if (erased.size === 0) return;
  for (const record of records) {
    if (!erased.has(record.value.personId)) continue;
    batch.reject(record, 'erased_person', ERASED_DETAIL);
    dropped.inc({ topic: batch.topic, reason: 'erased_person' });
  }
}

const mergedTotal = counter({
  name: 'wt_profile_person_merges_total',
  help: 'BSUID-only people merged into the number’s person they turned out to be (replays not counted)',
});

const written = counter({ name: 'wt_profile_rows_written_total', help: 'Profile rows upserted by engagement batches' });
/**
 * Time an engagement batch spends in Postgres: from BEGIN to COMMIT, less the time spent
 * applying events in memory and waiting for Kafka to acknowledge snapshots. With
 * wt_profile_rows_written_total it gives our profile writes per second of database time
 * (`npm run bench`: profiles_db_time_rows_per_s).
 */
const dbSeconds = histogram({
  name: 'wt_profile_db_seconds',
  help: 'Database time per engagement batch (transaction less in-memory work and Kafka acknowledgements)',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});
const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;

/**
 * The profile's use cases, one per input topic (each topic's consumer delegates here): apply
 * engagement, consent changes and inbound messages to profiles, then publish the changed profiles'
 * snapshots. Each chunk of a batch is one transaction, opened by ProfileStore: profiles locked,
 * events claimed (replays skipped), profiles updated, snapshots acknowledged by Kafka, then commit;
 * the offset is committed after that.
 */
@Injectable()
export class ProfileUpdates {
  private readonly decay: InterestDecay;

  constructor(
    private readonly store: ProfileStore,
    private readonly publisher: KafkaPublisher,
    private readonly config: ProfilesConfig,
  ) {
    this.decay = new InterestDecay(config.INTEREST_HALF_LIFE_HOURS);
  }

  async engagement(batch: RecordBatch<Topic.EngagementNormalizedV1>): Promise<void> {
    // Retention: an event dated before the first day still counted is refused (its day may already be
    // purged, with its dedupe record, so applying it could count it twice).
    const cutoff = retentionCutoff(new Date(), this.config.RETENTION_DAYS);
    const inWindow = batch.records.filter((record) => {
      if (Date.parse(record.value.occurredAt) >= cutoff.startsAt.getTime()) return true;
      batch.reject(
        record,
        'timestamp_too_old',
        `occurredAt: before ${cutoff.day}, past the ${this.config.RETENTION_DAYS}-day retention window`,
      );
      return false;
    });
    const seen = new Set<string>();
    // Events of a BSUID-only person merged into a number's person count for the latter.
    const unique = (await this.store.redirectMerged(inWindow.map((r) => r.value))).filter(
      (e) => !seen.has(e.dedupeKey) && seen.add(e.dedupeKey),
    );
    const erased = new Set<string>();
    const traces = latestTraces(batch.records);
    // A transaction per chunk of at most MAX_PEOPLE_PER_TRANSACTION people (one for a usual batch),
    // each as ProfileStore.writeEngagement: locked, erased dropped, replays skipped, profiles and
    // day buckets computed; the snapshots acknowledged by Kafka before the commit.
    for (const chunk of chunkByPeople(unique, (e) => e.personId, this.config.MAX_PEOPLE_PER_TRANSACTION)) {
      const started = process.hrtime.bigint();
      const timings = { notDatabase: 0 };
      const outcome = await this.store.writeEngagement(
        chunk,
        this.decay,
        (profiles, consents) => this.publishSnapshots(profiles, consents, traces),
        timings,
      );
      applied.inc({ effect: 'applied' }, outcome.applied);
      applied.inc({ effect: 'erased_person' }, outcome.erased);
      for (const personId of outcome.erasedPeople) erased.add(personId);
      applied.inc({ effect: 'duplicate' }, outcome.duplicates);
      if (outcome.profiles.length > 0) {
        dbSeconds.observe(seconds(started) - timings.notDatabase);
        written.inc(outcome.profiles.length);
      }
    }
    applied.inc({ effect: 'duplicate' }, inWindow.length - unique.length);
    rejectErased(batch, inWindow, erased);
    applied.inc({ effect: 'expired' }, batch.records.length - inWindow.length);
  }

  async consent(batch: RecordBatch<Topic.ConsentNormalizedV1>): Promise<void> {
    const traces = latestTraces(batch.records);
    const erased = new Set<string>();
    // A change about a BSUID-only person merged into a number's person applies to the latter.
    const changes = await this.store.redirectMerged(batch.records.map((r) => r.value));
    for (const chunk of chunkByPeople(changes, (c) => c.personId, this.config.MAX_PEOPLE_PER_TRANSACTION))
      await this.applyConsents(chunk, traces, erased);
    rejectErased(batch, batch.records, erased);
  }

  /** A chunk of consent changes in one transaction of two round trips (ProfileStore.writeConsents); adds the erased people to `erased`. */
  private async applyConsents(
    all: readonly ConsentNormalizedV1[],
    traces: ReadonlyMap<string, Record<string, string>>,
    erased: Set<string>,
  ): Promise<void> {
    await this.store.writeConsents(
      all,
      (profiles, consents) => this.publishSnapshots(profiles, consents, traces),
      (people) => people.forEach((p) => erased.add(p)),
    );
  }

  /** Inbound WhatsApp messages open the customer-service window with the number written to. */
  async inbound(batch: RecordBatch<Topic.WhatsappInboundV1>): Promise<void> {
    const traces = latestTraces(batch.records);
    const erased = new Set<string>();
    const messages = await this.store.redirectMerged(batch.records.map((r) => r.value));
    for (const chunk of chunkByPeople(messages, (m) => m.personId, this.config.MAX_PEOPLE_PER_TRANSACTION))
      await this.store.writeInbound(
        chunk,
        (profiles, consents) => this.publishSnapshots(profiles, consents, traces),
        (people) => people.forEach((p) => erased.add(p)),
      );
    rejectErased(batch, batch.records, erased);
  }

  /**
   * `internal.identity.merges.v1`: BSUID-only people merged into the number's person they turned out
   * to be (ProfileStore.mergePeople); the number's person's snapshot published, the merged person's
   * deleted (a tombstone on the compacted topic, as for an erasure).
   */
  async merge(batch: RecordBatch<Topic.IdentityMergesV1>): Promise<void> {
    const traces = latestTraces(batch.records.map((r) => ({ value: { personId: r.value.intoPersonId }, headers: r.headers })));
    const merges: PersonMergeV1[] = batch.records.map((r) => r.value);
    const done = await this.store.mergePeople(merges, this.decay, async (profiles, consents, mergedAway) => {
      await this.publishSnapshots(profiles, consents, traces);
      await this.publisher.publishRaw(Topic.ProfileSnapshotsV1, [{ key: mergedAway, value: null }]);
    });
    mergedTotal.inc(done);
  }

  private async publishSnapshots(
    profiles: readonly ProfileState[],
    consents: ReadonlyMap<string, readonly ConsentRow[]>,
    traces: ReadonlyMap<string, Record<string, string>>,
  ): Promise<void> {
    const now = new Date();
    await this.publisher.publish(
      Topic.ProfileSnapshotsV1,
      profiles.map((profile) => ({
        key: profile.personId,
        value: toSnapshot(profile, consents.get(profile.personId) ?? [], this.config.INTEREST_HALF_LIFE_HOURS, now),
        headers: traces.get(profile.personId),
      })),
    );
  }
}

/** Per person, the trace of the latest record about them: a snapshot continues that trace. */
function latestTraces(
  records: readonly { value: { personId: string }; headers: Record<string, string> }[],
): Map<string, Record<string, string>> {
  return new Map(records.map((r) => [r.value.personId, traceHeaders(r.headers)]));
}
