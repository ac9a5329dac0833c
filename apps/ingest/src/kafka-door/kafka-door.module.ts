import { Module } from '@nestjs/common';
import { NormalizationModule } from '../normalization/normalization.module';
import { ConsentConsumer, EngagementConsumer } from './kafka-door.consumers';
import { KafkaIntake } from './kafka-intake';

/** The Kafka door: one consumer per public input topic, each delegating to `KafkaIntake`. */
@Module({
  imports: [NormalizationModule],
  controllers: [EngagementConsumer, ConsentConsumer],
  providers: [KafkaIntake],
})
export class KafkaDoorModule {}
