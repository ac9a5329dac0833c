import { Logger } from '@nestjs/common';
import { Topic } from '@wt/contracts';
import { type Kafka, type Message, type PartitionMetadata, type ProducerBatch, type ProducerConfig, type RecordMetadata } from 'kafkajs';
import { kafkaMetrics } from './kafka-metrics';
import { KafkaPublisher, unacknowledged } from './kafka-publisher';

const TOPIC = Topic.EngagementNormalizedV1;
const PARTITIONS = 6;
const partitionMetadata: PartitionMetadata[] = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
  partitionErrorCode: 0,
  partitionId,
  leader: 1 + (partitionId % 3),
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
}));

/**
 * A Kafka whose producer does what kafkajs's does on a send that meets a dead broker, kafkajs #1303
 * simulated: it partitions the records (with the partitioner the publisher configured), its first
 * request fails on one broker, and it partitions them again for the retry, which goes only to the
 * brokers that had not answered. The partitions of the dead broker, now led by one that answered,
 * are never written, and the send resolves with the RecordMetadata of the others. `leftOut` lists,
 * per send, the partitions so dropped (none once it is exhausted).
 */
function kafkaWith1303(leftOut: number[][]) {
  /** Per partition, the values written, in order. */
  const written = new Map<number, string[]>();
  const sends: { partition: number; value: string }[][] = [];
  /** The partition each value was given by the very first attempt that partitioned it. */
  const firstGiven = new Map<string, number>();
  const kafka = {
    producer: (config: ProducerConfig) => {
      const partitioner = config.createPartitioner?.();
      if (!partitioner) throw new Error('the publisher configures its partitioner');
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

const resent = async () => (await kafkaMetrics.producerPartitionsResent.get()).values.find((v) => v.labels['topic'] === TOPIC)?.value ?? 0;

describe('KafkaPublisher resending the partitions a send left out (kafkajs #1303 simulated)', () => {
  let warnings: string[];
  beforeEach(() => {
    warnings = [];
    kafkaMetrics.producerPartitionsResent.reset();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  it('sends again the records of the partitions kafkajs acknowledged nothing for, to the same partitions, in order', async () => {
    const { kafka, written, sends } = kafkaWith1303([[1, 4]]);
    const keys = Array.from({ length: 40 }, (_, i) => `person-${i}`);
    await new KafkaPublisher(kafka).publishRaw(
      TOPIC,
      keys.map((key, i) => ({ key, value: `v${i}` })),
    );

    // Every record written once, each key on its own partition, in the order published.
    const all = [...written.values()].flat();
    expect(all.sort()).toEqual(keys.map((_, i) => `v${i}`).sort());
    for (const values of written.values()) expect(values).toEqual([...values].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
    // The second send carried only the two partitions left out.
    expect(sends).toHaveLength(2);
    expect(new Set(sends[1]?.map((record) => record.partition))).toEqual(new Set([1, 4]));
    expect(sends[1]).toHaveLength((written.get(1)?.length ?? 0) + (written.get(4)?.length ?? 0));
    expect(await resent()).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('kafkajs #1303');
    for (const key of keys) expect(warnings[0]).not.toContain(key);
  });

  it("keeps a keyless record on the partition it was first given, and leaves the caller's records as they were", async () => {
    const { kafka, written, sends, firstGiven } = kafkaWith1303([[0, 2, 3, 5]]);
    const messages: Message[] = Array.from({ length: 12 }, (_, i) => ({ key: null, value: `k${i}` }));
    await new KafkaPublisher(kafka).publishRaw(TOPIC, messages);

    expect([...written.values()].flat().sort()).toEqual(messages.map((m) => String(m.value)).sort());
    for (const [partition, values] of written) for (const value of values) expect(firstGiven.get(value)).toBe(partition);
    // Round robin put records on every partition, so the dropped ones had some to send again.
    expect(sends[1]?.length).toBeGreaterThan(0);
    expect(messages.every((message) => message.partition === undefined)).toBe(true);
  });

  it('fails the publish (its caller retries) when kafkajs keeps leaving a partition out', async () => {
    const { kafka } = kafkaWith1303(Array.from({ length: 10 }, () => [3]));
    await expect(
      new KafkaPublisher(kafka).publishRaw(
        TOPIC,
        Array.from({ length: 30 }, (_, i) => ({ key: `person-${i}`, value: `v${i}` })),
      ),
    ).rejects.toThrow(`${TOPIC} [3]`);
    expect(await resent()).toBe(5);
  });
});

describe('unacknowledged', () => {
  it('keeps, per topic and in order, the records of the partitions not reported, and those never partitioned', () => {
    const record = (value: string, partition?: number): Message => ({
      key: null,
      value,
      ...(partition === undefined ? {} : { partition }),
    });
    const missing = unacknowledged(
      [
        { topic: 'a', messages: [record('a0', 0), record('a1', 1), record('a2', 0), record('a3')] },
        { topic: 'b', messages: [record('b0', 0), record('b1', 1)] },
      ],
      [
        { topicName: 'a', partition: 0, errorCode: 0 },
        { topicName: 'b', partition: 1, errorCode: 0 },
      ],
    );
    expect(missing.map(({ topic, messages }) => [topic, messages.map((m) => m.value)])).toEqual([
      ['a', ['a1', 'a3']],
      ['b', ['b0']],
    ]);
  });
});
