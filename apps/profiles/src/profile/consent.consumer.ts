import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { ProfileUpdates } from './profile-updates.service';

/** `internal.consent.normalized.v1`: consent changes applied to the ledger and profiles (ProfileUpdates.consent). */
@Controller()
export class ConsentConsumer {
  constructor(private readonly updates: ProfileUpdates) {}

  @EventPattern(Topic.ConsentNormalizedV1)
  async on(@Payload() batch: RecordBatch<Topic.ConsentNormalizedV1>): Promise<void> {
    await this.updates.consent(batch);
  }
}
