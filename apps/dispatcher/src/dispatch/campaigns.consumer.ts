import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { SendQueue } from './send-queue';

/** `campaigns.v1`: which business each campaign's phone number belongs to. */
@Controller()
export class CampaignsConsumer {
  constructor(private readonly queue: SendQueue) {}

  @EventPattern(Topic.CampaignsV1)
  async onCampaigns(@Payload() batch: RecordBatch<Topic.CampaignsV1>): Promise<void> {
    await this.queue.campaignNumbers(batch.records);
  }
}
