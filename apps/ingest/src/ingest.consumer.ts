import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { KafkaPublisher, type OutgoingRecord, type RecordBatch } from '@wt/kafka';
import { EventNormalizer } from './normalization/event-normalizer';
import { type ConsentNormalizedV1, type EngagementNormalizedV1 } from '@wt/contracts';

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
    const out: OutgoingRecord<EngagementNormalizedV1>[] = [];
    for (const record of batch.records) {
      const result = this.normalizer.engagement(record.value, now);
      if (result.ok) out.push({ key: result.value.personId, value: result.value, headers: pick(record.headers) });
      else batch.reject(record, result.reason, result.detail);
    }
    await this.normalizer.sealContacts(out.map((r) => r.value));
    await this.publisher.publish(Topic.EngagementNormalizedV1, out);
  }

  @EventPattern(Topic.ConsentV1)
  async onConsent(@Payload() batch: RecordBatch<Topic.ConsentV1>): Promise<void> {
    const now = new Date();
    const out: OutgoingRecord<ConsentNormalizedV1>[] = [];
    for (const record of batch.records) {
      const result = this.normalizer.consent(record.value, now);
      if (result.ok) out.push({ key: result.value.personId, value: result.value, headers: pick(record.headers) });
      else batch.reject(record, result.reason, result.detail);
    }
    await this.normalizer.sealContacts(out.map((r) => r.value));
    await this.publisher.publish(Topic.ConsentNormalizedV1, out);
  }
}

/** Carries trace context across the hop; nothing else from the producer's headers. */
function pick(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) if (headers[name]) out[name] = headers[name];
  return out;
}
