import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { ProfileUpdates } from './profile-updates.service';

/** `internal.engagement.normalized.v1`: engagement applied to interests (ProfileUpdates.engagement). */
@Controller()
export class EngagementConsumer {
  constructor(private readonly updates: ProfileUpdates) {}

  @EventPattern(Topic.EngagementNormalizedV1)
  async on(@Payload() batch: RecordBatch<Topic.EngagementNormalizedV1>): Promise<void> {
    await this.updates.engagement(batch);
  }
}
