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
  readonly raw: KafkaMessage;
  readonly reason: DeadLetterReason;
  readonly detail: string;
}

/**
 * What a handler receives: the valid records of one fetched batch of one partition, in order.
 * Offsets are committed only after the handler resolves and rejected records are dead-lettered;
 * if the handler throws, nothing is committed and the batch is delivered again.
 */
export class RecordBatch<T extends Topic> {
  private readonly rejected: Rejection[] = [];

  constructor(
    readonly topic: T,
    readonly partition: number,
    readonly records: readonly ConsumedRecord<TopicPayload<T>>[],
    readonly tombstones: readonly Tombstone[],
    /** Keeps the group membership alive during long work. */
    readonly heartbeat: () => Promise<void>,
  ) {}

  /** Sends one record to the dead-letter topic with the reason, instead of processing it. */
  reject(record: ConsumedRecord<TopicPayload<T>>, reason: DeadLetterReason, detail: string): void {
    this.rejected.push({ raw: record.raw, reason, detail });
  }

  get rejections(): readonly Rejection[] {
    return this.rejected;
  }
}
