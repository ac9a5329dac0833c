import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { AssistantPrivacyService } from './assistant-privacy.service';

/** `internal.privacy.exports.v1`: profiles' part of an export, which the assistant answers with its own. */
@Controller()
export class PrivacyExportsConsumer {
  constructor(private readonly privacy: AssistantPrivacyService) {}

  @EventPattern(Topic.PrivacyExportsV1)
  async onExports(@Payload() batch: RecordBatch<Topic.PrivacyExportsV1>): Promise<void> {
    await this.privacy.answerExports(batch.records.map((record) => record.value));
  }
}
