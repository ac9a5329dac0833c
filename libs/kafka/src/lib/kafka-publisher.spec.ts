import { Logger } from '@nestjs/common';
import { Topic } from '@wt/contracts';
import { kafkaWith1303 } from '@wt/testing';
import { type Message } from 'kafkajs';
import { kafkaMetrics } from './kafka-metrics';
import { KafkaPublisher, unacknowledged } from './kafka-publisher';

const TOPIC = Topic.EngagementNormalizedV1;
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
