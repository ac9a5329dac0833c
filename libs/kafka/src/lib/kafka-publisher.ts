import { CompressionTypes, type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { type Topic, type TopicPayload } from '@wt/contracts';

/** One record to publish: `key` decides the partition, so ordering holds per key. */
export interface OutgoingRecord<T> {
  /** Never a phone number: use the personId, a campaignId, etc. */
  key: string | null;
  value: T;
  headers?: Record<string, string>;
}

/** Records for one topic; the payload type follows the topic. */
export type TopicRecords = {
  [T in Topic]: { topic: T; records: OutgoingRecord<TopicPayload<T>>[] };
}[Topic];

/** Schema tag of every record: the topic it was written for, never a class name. */
export const SCHEMA_HEADER = 'wt-schema';

function encode<T>(topic: Topic, record: OutgoingRecord<T>): Message {
  return {
    key: record.key,
    value: JSON.stringify(record.value),
    headers: { ...record.headers, [SCHEMA_HEADER]: topic, 'content-type': 'application/json' },
  };
}

/**
 * Publishes typed records with an idempotent producer (acks from all in-sync replicas, no
 * duplicates on retry). A publish resolves only once the broker acknowledged every record.
 */
export class KafkaPublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      // murmur2, as the Java client: a key lands on the same partition whoever produces it.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async publish<T extends Topic>(topic: T, records: OutgoingRecord<TopicPayload<T>>[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    await this.producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: records.map((record) => encode(topic, record)),
    });
  }

  /** Several topics in one request per broker. */
  async publishAll(batches: TopicRecords[]): Promise<void> {
    const topicMessages = batches
      .filter((batch) => batch.records.length > 0)
      .map((batch) => ({
        topic: batch.topic,
        messages: (batch.records as OutgoingRecord<unknown>[]).map((record) => encode(batch.topic, record)),
      }));
    if (topicMessages.length === 0) return;
    await this.connect();
    await this.producer.sendBatch({ acks: -1, topicMessages });
  }

  /** Publishes raw bytes, for replaying dead letters exactly as they arrived. */
  async publishRaw(topic: string, messages: Message[]): Promise<void> {
    await this.connect();
    await this.producer.send({ topic, acks: -1, messages });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
