import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { onlyRecords, type RecordBatch } from '@wt/kafka';
import { ConversionAttribution } from './conversion-attribution';

const PURCHASE = Buffer.from('"purchase"');

/** Purchases on the engagement stream: attributed to the message that led to them (a record without the word is skipped unparsed). */
@Controller()
export class ConversionConsumer {
  constructor(private readonly attribution: ConversionAttribution) {}

  @EventPattern(Topic.EngagementNormalizedV1, onlyRecords((value) => value.includes(PURCHASE)))
  async onEngagement(@Payload() batch: RecordBatch<Topic.EngagementNormalizedV1>): Promise<void> {
    await this.attribution.attribute(batch.records.map((r) => r.value));
  }
}
