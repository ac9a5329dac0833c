import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { KafkaPublisher, type OutgoingRecord, type RecordBatch } from '@wt/kafka';
import { EventNormalizer, type Normalized } from './normalization/event-normalizer';

/** Reads the public input topics, and re-publishes what is valid keyed by personId. */
@Controller()
export class IngestConsumer {
  constructor(
    private readonly normalizer: EventNormalizer,
    private readonly publisher: KafkaPublisher,
  ) {}

  @EventPattern(Topic.SocialEngagementV1)
  async onEngagement(@Payload() batch: RecordBatch<Topic.SocialEngagementV1>): Promise<void> {
    const now = new Date();
    const results = await this.normalizer.engagements(
      batch.records.map((r) => r.value),
      now,
    );
    const out = this.accepted(batch, results);
    await this.publisher.publish(Topic.EngagementNormalizedV1, out);
  }

  @EventPattern(Topic.ConsentV1)
  async onConsent(@Payload() batch: RecordBatch<Topic.ConsentV1>): Promise<void> {
    const now = new Date();
    const results = await this.normalizer.consents(
      batch.records.map((r) => ({ event: r.value })),
      now,
    );
    const out = this.accepted(batch, results);
    await this.publisher.publish(Topic.ConsentNormalizedV1, out);
  }

  /** The records to publish, keyed by personId; each refused one goes to the dead-letter topic with its reason. */
  private accepted<T extends Topic, V extends { personId: string }>(
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
}

/** Carries trace context across the hop; nothing else from the producer's headers. */
function pick(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) if (headers[name]) out[name] = headers[name];
  return out;
}
