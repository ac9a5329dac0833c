import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { OutcomeIntake } from './outcome-intake';

/** Messages and button taps to a business's number (replies, clicks), to OutcomeIntake. */
@Controller()
export class InboundConsumer {
  constructor(private readonly outcomes: OutcomeIntake) {}

  @EventPattern(Topic.WhatsappInboundV1)
  async onInbound(@Payload() batch: RecordBatch<Topic.WhatsappInboundV1>): Promise<void> {
    await this.outcomes.inbound(batch.records.map((r) => r.value));
  }
}
