import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { OutcomeIntake } from './outcome-intake';

/** Statuses of our sends (delivered, read, billed, 131026 unreachable), to OutcomeIntake. */
@Controller()
export class MessageStatusConsumer {
  constructor(private readonly outcomes: OutcomeIntake) {}

  @EventPattern(Topic.WhatsappMessageStatusV1)
  async onStatuses(@Payload() batch: RecordBatch<Topic.WhatsappMessageStatusV1>): Promise<void> {
    await this.outcomes.statuses(batch.records.map((r) => r.value));
  }
}
