import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { PersonMergeStore } from './person-merge.store';

/** `internal.identity.merges.v1`: a BSUID-only person merged into a number's person (by the dispatcher or ingest), to PersonMergeStore. */
@Controller()
export class IdentityMergeConsumer {
  constructor(private readonly merges: PersonMergeStore) {}

  @EventPattern(Topic.IdentityMergesV1)
  async onMerges(@Payload() batch: RecordBatch<Topic.IdentityMergesV1>): Promise<void> {
    await this.merges.merge(batch.records.map((r) => r.value));
  }
}
