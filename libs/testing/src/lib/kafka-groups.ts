import { type Topic } from '@wt/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { testBrokers } from './test-env';

/**
 * Sets consumer group `groupId`, before it first joins, at the current ends of `topics`: it then
 * reads only what is published from now on (this run's records), and misses none while its
 * "latest" would still be unresolved.
 */
export async function groupAtTopicEnds(groupId: string, topics: readonly Topic[], brokers: string[] = testBrokers()): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'wt-test-group-ends', logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: ends.map(({ partition, offset }) => ({ partition, offset })) });
    }
  } finally {
    await admin.disconnect();
  }
}
