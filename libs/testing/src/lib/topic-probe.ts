import { type Topic, type TopicPayload } from '@wt/contracts';
import { randomUUID } from 'node:crypto';
import { type Consumer, Kafka, logLevel } from 'kafkajs';

export interface ProbedRecord<T> {
  key: string | null;
  value: T;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads a topic from its current end in a throwaway consumer group and keeps every record,
 * so a test can wait for what the system publishes in response to what the test did.
 */
export class TopicProbe<T extends Topic> {
  readonly records: ProbedRecord<TopicPayload<T>>[] = [];
  private consumer?: Consumer;

  private constructor(readonly topic: T) {}

  static async start<T extends Topic>(brokers: string[], topic: T, fromBeginning = false): Promise<TopicProbe<T>> {
    const probe = new TopicProbe(topic);
    const kafka = new Kafka({ brokers, clientId: 'test-probe', logLevel: logLevel.ERROR });
    const consumer = kafka.consumer({ groupId: `test-probe-${randomUUID()}`, maxWaitTimeInMs: 100 });
    probe.consumer = consumer;
    // Read from the beginning but keep only records after the ends seen now: a new group's
    // "latest" is resolved at its first fetch, which may come after the test already produced.
    const admin = kafka.admin();
    await admin.connect();
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.offset)]));
    await admin.disconnect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let joined!: () => void;
    const ready = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        if (!fromBeginning && BigInt(message.offset) < (ends.get(partition) ?? 0n)) return;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
        probe.records.push({
          key: message.key?.toString() ?? null,
          value: (message.value ? JSON.parse(message.value.toString()) : null) as TopicPayload<T>,
          headers,
          partition,
          offset: message.offset,
        });
      },
    });
    await ready;
    return probe;
  }

  /** Waits until a record matches, and returns it. */
  async waitFor(predicate: (value: TopicPayload<T>) => boolean, timeoutMs = 30_000): Promise<ProbedRecord<TopicPayload<T>>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records.find((r) => r.value !== null && predicate(r.value));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching record on ${this.topic} within ${timeoutMs} ms (saw ${this.records.length})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
