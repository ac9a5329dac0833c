import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Topic } from '@wt/contracts';
import { IntervalTask } from '@wt/database';
import { KafkaPublisher } from '@wt/kafka';
import { counter, gauge } from '@wt/observability';
import { ProfilesConfig } from '../profiles.config';
import { recomputeFromBuckets, retentionCutoff } from './day-buckets';
import { InterestDecay } from './interest-decay';
import { toSnapshot } from './profile-snapshot';
import { ProfileStore } from './profile.store';

const purged = counter({
  name: 'wt_retention_purged_total',
  help: 'Retention purge: people recomputed, days and dedupe records deleted',
  labelNames: ['what'],
});
const lastRun = gauge({ name: 'wt_retention_purge_last_success_seconds', help: 'Unix time of the last completed retention purge' });

export interface PurgeResult {
  /** false: another replica (or the CronJob) holds the purge lock; nothing was done. */
  ran: boolean;
  cutoffDay: string;
  people: number;
  days: number;
  dedupeRecords: number;
}

/**
 * Retention (issue 3, point 10): signals older than the window stop counting. Per batch of people
 * holding expired days, in one transaction under the same per-person locks as the consumers: the
 * expired days are deleted, each profile is recomputed from the days left (`recomputeFromBuckets`),
 * the dedupe records of expired events are deleted (the consumer refuses such events, so a replay
 * cannot count them again), and the new snapshots are acknowledged by Kafka before the commit. A
 * crash rolls the batch back; the next run does it again.
 *
 * One run at a time across replicas: a transaction-scoped Postgres advisory lock per batch, tried, not waited for.
 */
@Injectable()
export class RetentionPurge {
  private readonly decay: InterestDecay;

  constructor(
    private readonly store: ProfileStore,
    private readonly publisher: KafkaPublisher,
    private readonly config: ProfilesConfig,
  ) {
    this.decay = new InterestDecay(config.INTEREST_HALF_LIFE_HOURS);
  }

  /**
   * Runs the purge as of `now` unless another process is running it. The lock is taken per batch,
   * transaction-scoped (`pg_try_advisory_xact_lock`): no session state, so it holds through PgBouncer
   * in transaction pooling (a session lock and its unlock could land on two server connections).
   */
  async runExclusive(now: Date): Promise<PurgeResult> {
    return this.purge(now);
  }

  private async purge(now: Date): Promise<PurgeResult> {
    const cutoff = retentionCutoff(now, this.config.RETENTION_DAYS);
    const result: PurgeResult = { ran: true, cutoffDay: cutoff.day, people: 0, days: 0, dedupeRecords: 0 };
    for (;;) {
      const personIds = await this.store.peopleWithDaysBefore(cutoff.day, this.config.RETENTION_PURGE_BATCH);
      if (personIds.length === 0) break;
      const locked = await this.store.transaction(async (manager) => {
        const [{ locked }]: { locked: boolean }[] = await manager.query(
          `SELECT pg_try_advisory_xact_lock(hashtextextended('wt.profiles.retention-purge', 0)) AS locked`,
        );
        if (!locked) return false;
        const profiles = await this.store.lockProfiles(manager, personIds);
        result.days += await this.store.deleteDaysBefore(manager, personIds, cutoff.day);
        const left = await this.store.dayBucketsOf(manager, personIds);
        // A person with days but no profile row cannot happen (both are written together); skip it if it did.
        const updated = [...profiles.values()].filter((p) => p.version > 0).map((p) => recomputeFromBuckets(p, left, this.decay));
        await this.store.saveProfiles(manager, updated);
        result.dedupeRecords += await this.store.deleteProcessedBefore(manager, personIds, cutoff.startsAt);
        const consents = await this.store.consentsOf(
          manager,
          updated.map((p) => p.personId),
        );
        await this.publisher.publish(
          Topic.ProfileSnapshotsV1,
          updated.map((profile) => ({
            key: profile.personId,
            value: toSnapshot(profile, consents, this.config.INTEREST_HALF_LIFE_HOURS, now),
          })),
        );
        result.people += personIds.length;
        return true;
      });
      if (!locked) {
        // Another replica (or the CronJob) is purging: it goes on; this one stops.
        if (result.people === 0) result.ran = false;
        break;
      }
    }
    purged.inc({ what: 'people' }, result.people);
    purged.inc({ what: 'days' }, result.days);
    purged.inc({ what: 'dedupe_records' }, result.dedupeRecords);
    lastRun.set(Date.now() / 1000);
    return result;
  }
}

/**
 * Runs the purge every RETENTION_PURGE_INTERVAL_SECONDS in each replica; the advisory lock lets one
 * at a time do it. The first run is one interval after boot, so a restart storm does not purge.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RetentionPurge');
  private readonly interval = new IntervalTask('retention purge', () => this.purgeAndLog(), this.logger);

  constructor(
    private readonly purge: RetentionPurge,
    private readonly config: ProfilesConfig,
  ) {}

  onApplicationBootstrap(): void {
    // One-shot modes (migrate, retention-purge) do their own work.
    if (process.env['WT_RUN_MODE'] || this.config.RETENTION_PURGE_INTERVAL_SECONDS === 0) return;
    this.interval.start(this.config.RETENTION_PURGE_INTERVAL_SECONDS * 1000);
  }

  private async purgeAndLog(): Promise<void> {
    const result = await this.purge.runExclusive(new Date());
    if (result.ran && result.people > 0)
      this.logger.log(
        `retention purge before ${result.cutoffDay}: ${result.people} people, ${result.days} days, ${result.dedupeRecords} dedupe records`,
      );
  }

  async onModuleDestroy(): Promise<void> {
    await this.interval.stop();
  }
}
