import { type Kafka, type Message, type PartitionMetadata, type ProducerBatch, type ProducerConfig, type RecordMetadata } from 'kafkajs';

/** What a Kafka of kafkaWith1303 was given: per partition the values written, each send's records, each value's first partition. */
export interface Kafka1303 {
  kafka: Kafka;
  written: Map<number, string[]>;
  sends: { partition: number; value: string }[][];
  firstGiven: Map<string, number>;
}

/**
 * A Kafka whose producer does what kafkajs's does on a send that meets a dead broker, kafkajs #1303
 * simulated: it partitions the records (with the partitioner the producer was configured with), its
 * first request fails on one broker, and it partitions them again for the retry, which goes only to
 * the brokers that had not answered. The partitions of the dead broker, now led by one that
 * answered, are never written, and the send resolves with the RecordMetadata of the others.
 * `leftOut` lists, per send, the partitions so dropped (none once it is exhausted). Every topic has
 * `partitions` partitions.
 */
export function kafkaWith1303(leftOut: number[][], partitions = 6): Kafka1303 {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 1 + (partitionId % 3),
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
  }));
  const written = new Map<number, string[]>();
  const sends: { partition: number; value: string }[][] = [];
  const firstGiven = new Map<string, number>();
  const kafka = {
    producer: (config: ProducerConfig) => {
      const partitioner = config.createPartitioner?.();
      if (!partitioner) throw new Error('the producer is configured with its partitioner');
      const partitionOf = (topic: string, message: Message) => partitioner({ topic, partitionMetadata, message });
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        sendBatch: async ({ topicMessages = [] }: ProducerBatch): Promise<RecordMetadata[]> => {
          const dropped = new Set(leftOut.shift() ?? []);
          const acknowledged: RecordMetadata[] = [];
          const sent: { partition: number; value: string }[] = [];
          for (const { topic, messages } of topicMessages) {
            for (const message of messages) {
              const partition = partitionOf(topic, message); // the first attempt
              if (!firstGiven.has(String(message.value))) firstGiven.set(String(message.value), partition);
            }
            const perPartition = new Map<number, Message[]>();
            for (const message of messages) {
              const partition = partitionOf(topic, message); // the retry partitions again
              perPartition.set(partition, [...(perPartition.get(partition) ?? []), message]);
            }
            for (const [partition, records] of perPartition) {
              if (dropped.has(partition)) continue;
              for (const record of records) {
                const value = String(record.value);
                written.set(partition, [...(written.get(partition) ?? []), value]);
                sent.push({ partition, value });
              }
              acknowledged.push({ topicName: topic, partition, errorCode: 0, baseOffset: '0' });
            }
          }
          sends.push(sent);
          return acknowledged;
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, written, sends, firstGiven };
}
