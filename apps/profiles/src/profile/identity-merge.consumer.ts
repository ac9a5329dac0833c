import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { ProfileUpdates } from './profile-updates.service';

/** `internal.identity.merges.v1`: BSUID-only people merged into a number's person (ProfileUpdates.merge). */
@Controller()
export class IdentityMergeConsumer {
  constructor(private readonly updates: ProfileUpdates) {}

  @EventPattern(Topic.IdentityMergesV1)
  async on(@Payload() batch: RecordBatch<Topic.IdentityMergesV1>): Promise<void> {
    await this.updates.merge(batch);
  }
}
