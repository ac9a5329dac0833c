import { Topic } from '@wt/contracts';
import { topicConsumer } from '@wt/kafka';
import { KafkaIntake } from './kafka-intake';

/** `social.engagement.v1`: producers' engagement events, handed to the Kafka door's intake. */
export const EngagementConsumer = topicConsumer(Topic.SocialEngagementV1, KafkaIntake, (intake, batch) => intake.engagement(batch));

/** `consent.v1`: consent changes, handed to the Kafka door's intake. */
export const ConsentConsumer = topicConsumer(Topic.ConsentV1, KafkaIntake, (intake, batch) => intake.consent(batch));
