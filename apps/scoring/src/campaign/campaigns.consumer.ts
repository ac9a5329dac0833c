import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { CampaignStore } from './campaign.store';

/**
 * Campaign states from the API (ours, stored already: ignored as not newer) and from other
 * teams. A state that contradicts the stored one (another business's campaign id, a budget
 * below what is spent) is refused for good: dead-lettered as `state_conflict`, never retried,
 * and the records after it flow. Invalid ones never get here (dead-lettered by validation).
 */
@Controller()
export class CampaignsConsumer {
  private readonly logger = new Logger(CampaignsConsumer.name);

  constructor(private readonly campaigns: CampaignStore) {}

  @EventPattern(Topic.CampaignsV1)
  async onCampaigns(@Payload() batch: RecordBatch<Topic.CampaignsV1>): Promise<void> {
    const refusals = await this.campaigns.apply(batch.records.map((r) => r.value));
    for (const { index, reason, detail } of refusals) {
      const record = batch.records[index];
      if (!record) continue;
      this.logger.warn(`campaigns.v1 ${record.partition}:${record.offset} refused (${reason}): ${detail}`);
      batch.reject(record, 'state_conflict', `${reason}: ${detail}`);
    }
  }
}
