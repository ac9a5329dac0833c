import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { DataSource } from 'typeorm';
import { applyPersonMerges } from './person-merges';

/**
 * `internal.identity.merges.v1`: people merged by another service (ingest, when a business's event
 * carried a BSUID with the number it belongs to). The dispatcher's own rows of the merged person
 * move to the number's person, as for the merges its webhooks find (`applyPersonMerges`), in one
 * transaction per batch. A merge the dispatcher published itself, or a replay, moves nothing more.
 */
@Controller()
export class IdentityMergeConsumer {
  constructor(private readonly dataSource: DataSource) {}

  @EventPattern(Topic.IdentityMergesV1)
  async onMerges(@Payload() batch: RecordBatch<Topic.IdentityMergesV1>): Promise<void> {
    const merges = batch.records.map((r) => ({ from: r.value.fromPersonId, into: r.value.intoPersonId, via: r.value.via }));
    if (merges.length === 0) return;
    await this.dataSource.transaction((manager) => applyPersonMerges(manager, merges, new Date().toISOString()));
  }
}
