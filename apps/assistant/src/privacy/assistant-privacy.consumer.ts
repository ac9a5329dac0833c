import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type PrivacyExportV1, Topic } from '@wt/contracts';
import { KafkaPublisher, type RecordBatch } from '@wt/kafka';
import { AssistantPrivacyStore } from './assistant-privacy.store';

/**
 * The assistant's part of the GDPR requests. Profiles turns a request's phone number into the
 * personId (the assistant holds no pseudonym secret) and announces the outcome: an erasure on
 * `internal.privacy.erasures.v1`, an export on `internal.privacy.exports.v1`. The assistant follows both.
 */
@Controller()
export class AssistantPrivacyConsumer {
  constructor(
    private readonly store: AssistantPrivacyStore,
    private readonly publisher: KafkaPublisher,
  ) {}

  /** Deletes the erased people's conversation state and history (idempotent: a redelivery deletes nothing more). */
  @EventPattern(Topic.PrivacyErasuresV1)
  async onErasures(@Payload() batch: RecordBatch<Topic.PrivacyErasuresV1>): Promise<void> {
    await this.store.erase(batch.records.map((record) => record.value.personId));
  }

  /**
   * Answers profiles' part of an export with the assistant's own (conversation state and history,
   * agents' replies, last marketing decisions, held erasure requests), under the same requestId and
   * personId, `source: 'assistant'`. The assistant's own answers on the topic are skipped. A
   * redelivery publishes the part again: the reader keeps one per (requestId, source).
   */
  @EventPattern(Topic.PrivacyExportsV1)
  async onExports(@Payload() batch: RecordBatch<Topic.PrivacyExportsV1>): Promise<void> {
    const parts = [];
    for (const record of batch.records) {
      const request = record.value;
      if ((request.source ?? 'profiles') !== 'profiles') continue;
      const part: PrivacyExportV1 = {
        requestId: request.requestId,
        personId: request.personId,
        exportedAt: new Date().toISOString(),
        source: 'assistant',
        data: { ...(await this.store.export(request.personId)) },
      };
      parts.push({ key: request.requestId, value: part });
    }
    if (parts.length > 0) await this.publisher.publish(Topic.PrivacyExportsV1, parts);
  }
}
