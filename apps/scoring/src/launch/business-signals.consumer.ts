import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { BusinessSignals } from './business-signals';

/** The dispatcher's business signals (131048 pauses and resumes, template pauses), to BusinessSignals. */
@Controller()
export class BusinessSignalsConsumer {
  constructor(private readonly signals: BusinessSignals) {}

  @EventPattern(Topic.BusinessSendingSignalsV1)
  async onBusinessSignals(@Payload() batch: RecordBatch<Topic.BusinessSendingSignalsV1>): Promise<void> {
    await this.signals.apply(
      batch.records.map((r) => r.value),
      () => batch.heartbeat(),
    );
  }
}
