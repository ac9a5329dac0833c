import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { AssistantPrivacyService } from './assistant-privacy.service';

/** `internal.privacy.erasures.v1`: the people profiles erased; the assistant deletes what it holds about them. */
@Controller()
export class PrivacyErasuresConsumer {
  constructor(private readonly privacy: AssistantPrivacyService) {}

  @EventPattern(Topic.PrivacyErasuresV1)
  async onErasures(@Payload() batch: RecordBatch<Topic.PrivacyErasuresV1>): Promise<void> {
    await this.privacy.erase(batch.records.map((record) => record.value.personId));
  }
}
