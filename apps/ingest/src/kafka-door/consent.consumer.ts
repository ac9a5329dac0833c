import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { KafkaIntake } from './kafka-intake';

/** `consent.v1`: consent changes, handed to the Kafka door's intake. */
@Controller()
export class ConsentConsumer {
  constructor(private readonly intake: KafkaIntake) {}

  @EventPattern(Topic.ConsentV1)
  async onConsent(@Payload() batch: RecordBatch<Topic.ConsentV1>): Promise<void> {
    await this.intake.consent(batch);
  }
}
