import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { AssistantPrivacyService } from './assistant-privacy.service';

/**
 * Profiles' privacy outcomes, the assistant's part of a GDPR request (profiles turns the number into
 * the personId): the people erased, and the exports it answers with its own part.
 */
@Controller()
export class PrivacyConsumer {
  constructor(private readonly privacy: AssistantPrivacyService) {}

  /** `internal.privacy.erasures.v1`: the assistant deletes what it holds about them. */
  @EventPattern(Topic.PrivacyErasuresV1)
  async onErasures(@Payload() batch: RecordBatch<Topic.PrivacyErasuresV1>): Promise<void> {
    await this.privacy.erase(batch.records.map((record) => record.value.personId));
  }

  /** `internal.privacy.exports.v1`: profiles' part of an export, answered with the assistant's. */
  @EventPattern(Topic.PrivacyExportsV1)
  async onExports(@Payload() batch: RecordBatch<Topic.PrivacyExportsV1>): Promise<void> {
    await this.privacy.answerExports(batch.records.map((record) => record.value));
  }
}
