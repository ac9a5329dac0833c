import { Injectable } from '@nestjs/common';
import { type ConsentNormalizedV1, type EngagementNormalizedV1, Topic } from '@wt/contracts';
import { KafkaPublisher, type OutgoingRecord, type RecordBatch } from '@wt/kafka';
import { EventNormalizer, type Normalized } from '../normalization/event-normalizer';

/**
 * The Kafka door's use cases: a batch of a public input topic normalized (sealed, by personId) and
 * re-published on the internal topic; each refused record goes to the dead-letter topic with its reason.
 */
@Injectable()
export class KafkaIntake {
  constructor(
    private readonly normalizer: EventNormalizer,
    private readonly publisher: KafkaPublisher,
  ) {}

  async engagement(batch: RecordBatch<Topic.SocialEngagementV1>): Promise<void> {
    const results = await this.normalizer.engagements(
      batch.records.map((r) => r.value),
      new Date(),
    );
    // Still this member's partitions, right before the publish (a replica that froze while sealing publishes nothing).
    await batch.fence();
    await this.publisher.publish<Topic.EngagementNormalizedV1>(Topic.EngagementNormalizedV1, accepted(batch, results));
  }

  async consent(batch: RecordBatch<Topic.ConsentV1>): Promise<void> {
    const results = await this.normalizer.consents(
      batch.records.map((r) => ({ event: r.value })),
      new Date(),
    );
    await batch.fence();
    await this.publisher.publish<Topic.ConsentNormalizedV1>(Topic.ConsentNormalizedV1, accepted(batch, results));
  }
}

/** The records to publish, keyed by personId; each refused one is rejected (dead-lettered) with its reason. */
function accepted<T extends Topic, V extends EngagementNormalizedV1 | ConsentNormalizedV1>(
  batch: RecordBatch<T>,
  results: readonly Normalized<V>[],
): OutgoingRecord<V>[] {
  const out: OutgoingRecord<V>[] = [];
  batch.records.forEach((record, i) => {
    const result = results[i] as Normalized<V>;
    if (result.ok) out.push({ key: result.value.personId, value: result.value, headers: pick(record.headers) });
    else batch.reject(record, result.reason, result.detail);
  });
  return out;
}

/** Carries trace context across the hop; nothing else from the producer's headers. */
function pick(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) if (headers[name]) out[name] = headers[name];
  return out;
}
