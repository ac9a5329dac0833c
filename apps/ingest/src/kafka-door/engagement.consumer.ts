import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { KafkaIntake } from './kafka-intake';

/** `social.engagement.v1`: producers' engagement events, handed to the Kafka door's intake. */
@Controller()
export class EngagementConsumer {
  constructor(private readonly intake: KafkaIntake) {}

  @EventPattern(Topic.SocialEngagementV1)
  async onEngagement(@Payload() batch: RecordBatch<Topic.SocialEngagementV1>): Promise<void> {
    await this.intake.engagement(batch);
  }
}
