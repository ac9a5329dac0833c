import { type DeadLetterReason, type Topic, type TopicPayload } from '@wt/contracts';
import { type KafkaMessage } from 'kafkajs';

/** A validated record as a handler sees it. */
export interface ConsumedRecord<T> {
  readonly topic: Topic;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: T;
  readonly headers: Record<string, string>;
  /** Broker timestamp (ms since epoch) of the record. */
  readonly timestamp: number;
  /** The record as it arrived, for dead-lettering it byte for byte. */
  readonly raw: KafkaMessage;
}

/** A tombstone (null value) on a compacted topic: the key's state was deleted. */
export interface Tombstone {
  readonly key: string;
  readonly offset: string;
}

export interface Rejection {
  /** The partition the record came from (a batch may span several). */
  readonly partition: number;
  readonly raw: KafkaMessage;
  readonly reason: DeadLetterReason;
  readonly detail: string;
}

/**
 * Thrown by `RecordBatch.fence`: the group refused this member's heartbeat right before an effect.
 * KafkaBatchServer gives the batch up at once (nothing committed) with `refusal`, which kafkajs's
 * consumer loop rejoins on.
 */
export class StaleBatch extends Error {
  override readonly name = 'StaleBatch';

  constructor(readonly refusal: unknown) {
    super(`the group refused this member's heartbeat (${String(refusal)}): the batch is given up before its effect, not committed`);
  }
}

/**
 * What a handler receives: the valid records of one topic from one fetch, which may span several
 * partitions. Each partition's records come in order and together (so do each key's, a key
 * belonging to one partition). Offsets are committed only after the handler resolves and rejected
 * records are dead-lettered; if the handler throws, nothing is committed and every partition's
 * part of the batch is delivered again.
 */
export class RecordBatch<T extends Topic> {
  private readonly rejected: Rejection[] = [];
  /**
   * What the handler threw, as it threw it (BatchFailureInterceptor keeps it here: Nest's exception
   * filter hands the transport a generic error instead), for KafkaBatchServer to classify.
   */
  failure?: { error: unknown };

  constructor(
    readonly topic: T,
    /** The partitions the records come from. */
    readonly partitions: readonly number[],
    readonly records: readonly ConsumedRecord<TopicPayload<T>>[],
    readonly tombstones: readonly Tombstone[],
    /** Keeps the group membership alive during long work. */
    readonly heartbeat: () => Promise<void>,
  ) {}

  /**
   * The fence of the batch's partitions, right before an effect outside the database (a publish):
   * throws StaleBatch when the group refuses this member's heartbeat (it froze past its session and
   * its partitions went to another member, or the group is rebalancing and would refuse the batch's
   * commit the same way): the batch is given up, nothing committed, and its records come again to
   * whoever owns them. kafkajs sends a heartbeat only once its interval (3 s) has passed since the
   * last, so while batches flow this costs no round trip; after a freeze it always asks.
   */
  async fence(): Promise<void> {
    try {
      await this.heartbeat();
    } catch (refusal) {
      throw new StaleBatch(refusal);
    }
  }

  /** Sends one record to the dead-letter topic with the reason, instead of processing it. */
  reject(record: ConsumedRecord<TopicPayload<T>>, reason: DeadLetterReason, detail: string): void {
    this.rejected.push({ partition: record.partition, raw: record.raw, reason, detail });
  }

  get rejections(): readonly Rejection[] {
    return this.rejected;
  }
}
