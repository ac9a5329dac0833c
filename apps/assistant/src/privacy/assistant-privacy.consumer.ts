import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { AssistantPrivacyStore } from './assistant-privacy.store';

/** The assistant's part of a GDPR erasure: what profiles announced erased goes from here too. */
@Controller()
export class AssistantPrivacyConsumer {
  constructor(private readonly store: AssistantPrivacyStore) {}

  /** Deletes the erased people's conversation state and history (idempotent: a redelivery deletes nothing more). */
  @EventPattern(Topic.PrivacyErasuresV1)
  async onErasures(@Payload() batch: RecordBatch<Topic.PrivacyErasuresV1>): Promise<void> {
    await this.store.erase(batch.records.map((record) => record.value.personId));
  }
}
