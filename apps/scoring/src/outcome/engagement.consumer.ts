import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { onlyRecords, type RecordBatch } from '@wt/kafka';
import { OutcomeIntake } from './outcome-intake';

const PURCHASE = Buffer.from('"purchase"');
const CLICK = Buffer.from('"click"');
const BUSINESS = Buffer.from('"businessId"');

/**
 * Purchases and clicks on a business's own pages, to OutcomeIntake. Only those matter here: a record
 * without the words in its bytes is skipped before it is even parsed (their JSON always holds
 * `"purchase"`, or `"click"` and `"businessId"`; what else holds them is filtered by OutcomeIntake).
 */
@Controller()
export class EngagementConsumer {
  constructor(private readonly outcomes: OutcomeIntake) {}

  @EventPattern(
    Topic.EngagementNormalizedV1,
    onlyRecords((value) => value.includes(PURCHASE) || (value.includes(CLICK) && value.includes(BUSINESS))),
  )
  async onEngagement(@Payload() batch: RecordBatch<Topic.EngagementNormalizedV1>): Promise<void> {
    await this.outcomes.engagements(batch.records.map((r) => r.value));
  }
}
