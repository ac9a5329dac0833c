import { Logger } from '@nestjs/common';
import { CompressionTypes, type Kafka, type Message, type Producer, type RecordMetadata, type TopicMessages } from 'kafkajs';
import { type Topic, type TopicPayload } from '@wt/contracts';
import { packInOrder } from './fetch-gathering';
import { kafkaMetrics } from './kafka-metrics';
import { JavaCompatiblePartitioner } from './partitioner';
import { type Span } from '@opentelemetry/api';
import { endSpans, recordSpansEnabled, startSendSpan } from './record-spans';
import { childTraceContext, currentTraceContext, TRACEPARENT_HEADER } from './trace-context';

/** One record to publish: `key` decides the partition, so ordering holds per key. */
export interface OutgoingRecord<T> {
  /** Never a phone number: use the personId, a campaignId, etc. */
  key: string | null;
  value: T;
  headers?: Record<string, string>;
  /**
   * `JSON.stringify(value)`, when the caller has it already (it serialized the value once for its
   * own database row): sent as the record's value instead of serializing the value again.
   */
  valueJson?: string;
}

/** Records for one topic; the payload type follows the topic. */
export type TopicRecords = {
  [T in Topic]: { topic: T; records: OutgoingRecord<TopicPayload<T>>[] };
}[Topic];

/** Schema tag of every record: the topic it was written for, never a class name. */
export const SCHEMA_HEADER = 'wt-schema';

/**
 * Largest request we send at once. kafkajs puts every message for one partition of a request into
 * one record batch, and the broker refuses a batch over `max.message.bytes` (1 MiB by default):
 * a big publish to few partitions (dead letters all share their origin's key) must be split.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Splits messages, in order, into chunks of at most `maxBytes` (a larger single message goes alone). */
export function chunkBySize(messages: Message[], maxBytes = MAX_REQUEST_BYTES): Message[][] {
  return packInOrder(
    messages,
    (message) =>
      Buffer.byteLength((message.value as string | Buffer | null) ?? '') +
      Buffer.byteLength((message.key as string | Buffer | null) ?? '') +
      64,
    maxBytes,
  );
}

/**
 * Every record carries W3C trace context: the hop's own span in the trace of the `traceparent`
 * the handler copied from its input record, else of the ambient one (the HTTP request being
 * served, see runWithTraceContext), or a new trace when there is none.
 */
export function encode<T>(topic: Topic, record: OutgoingRecord<T>, spans?: Span[]): Message {
  const parent = record.headers?.[TRACEPARENT_HEADER] ? record.headers : currentTraceContext();
  // The same headers, in the same order, as `{ ...record.headers, ...child, schema, content-type }`,
  // without the spreads' intermediate objects (every record a stage produces comes through here).
  const headers: Record<string, string> = {};
  if (record.headers) for (const name of Object.keys(record.headers)) headers[name] = record.headers[name] as string;
  // With tracing on, the record's span is a real one (exported); else a span id of its own.
  const span = spans && startSendSpan(topic, parent, headers);
  if (span) spans.push(span);
  else {
    const child = childTraceContext(parent);
    for (const name of Object.keys(child)) headers[name] = child[name] as string;
  }
  headers[SCHEMA_HEADER] = topic;
  headers['content-type'] = 'application/json';
  return { key: record.key, value: record.valueJson ?? JSON.stringify(record.value), headers };
}

/** Errors after which the idempotent producer's sequence numbers no longer match the partition leader's. */
const BROKEN_SEQUENCE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/** Whether `error`, or an error it wraps, is one of BROKEN_SEQUENCE. */
export function brokenSequence(error: unknown): boolean {
  for (let e = error as { type?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.type === 'string' && BROKEN_SEQUENCE.has(e.type)) return true;
  }
  return false;
}

/**
 * The records of `sent` whose partition is not among the partitions kafkajs reported written
 * (`acknowledged`, one RecordMetadata per topic-partition of the request), in their order. The
 * partition of each record is the one the partitioner stamped on it (JavaCompatiblePartitioner); a
 * record without one counts as not written.
 *
 * kafkajs #1303: a send that fails on one broker (it died) is retried only towards the brokers that
 * had not answered yet, and after the metadata refresh a partition of the dead broker may be led by
 * one that had: its records are then never sent, while the send resolves as if all were written.
 */
export function unacknowledged(sent: readonly TopicMessages[], acknowledged: readonly RecordMetadata[]): TopicMessages[] {
  const written = new Set(acknowledged.map((metadata) => `${metadata.topicName}\u0000${metadata.partition}`));
  const missing: TopicMessages[] = [];
  for (const { topic, messages } of sent) {
    const left = messages.filter((message) => message.partition === undefined || !written.has(`${topic}\u0000${message.partition}`));
    if (left.length > 0) missing.push({ topic, messages: left });
  }
  return missing;
}

/** Resends of a send's left-out partitions (see unacknowledged) before the publish fails (its caller retries). */
const MAX_RESENDS = 5;

/** How long a replaced producer is kept before it is disconnected (its requests in flight finish or fail). */
const RETIRE_AFTER_MS = 30_000;

/**
 * Publishes typed records with an idempotent producer (acks from all in-sync replicas, no
 * duplicates on retry). A publish resolves only once the broker acknowledged every record.
 *
 * After a partition leader fails over, kafkajs's idempotent producer can be left with sequence
 * numbers the new leader refuses (`OUT_OF_ORDER_SEQUENCE_NUMBER`) on every later send: it never
 * asks for a new producer id, as the Java client does (seen: a stage stalled until the killed
 * broker came back, 100 s and more). Then the producer is replaced by a new one (a new producer id,
 * sequences from zero) and the send made again: a record whose first attempt did reach the old
 * leader may then be there twice, which every reader tolerates (at least once, idempotent effects).
 *
 * A send kafkajs resolves is checked against the partitions it reports written: the records of a
 * partition it left out (kafkajs #1303, see unacknowledged) are sent again, to the same partition,
 * counted in `wt_producer_partitions_resent_total`.
 */
export class KafkaPublisher {
  private readonly logger = new Logger(KafkaPublisher.name);
  private producer: Producer;
  private generation = 0;
  private connected?: Promise<void>;

  constructor(private readonly kafka: Kafka) {
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      // murmur2, as the Java client: a key lands on the same partition whoever produces it.
      createPartitioner: JavaCompatiblePartitioner,
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  /**
   * Sends `topicMessages` until every record's partition is reported written: the partitions a
   * send left out (kafkajs #1303) are sent again, up to MAX_RESENDS times, then the publish fails.
   */
  private async sendAll(topicMessages: TopicMessages[]): Promise<void> {
    let pending = topicMessages;
    for (let resends = 0; ; resends++) {
      const batch = pending;
      pending = unacknowledged(
        batch,
        await this.send((producer) => producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: batch })),
      );
      if (pending.length === 0) return;
      if (resends >= MAX_RESENDS) {
        throw new Error(
          `kafkajs acknowledged sends without some of their partitions ${MAX_RESENDS + 1} times in a row: ${describePartitions(pending)}`,
        );
      }
      for (const { topic, messages } of pending) {
        const partitions = partitionsOf(messages);
        kafkaMetrics.producerPartitionsResent.inc({ topic }, partitions.length);
        this.logger.warn(
          `${topic}: a send was acknowledged without partition ${partitions.join(', ')} (kafkajs #1303, a retry after a leader moved); their ${messages.length} records sent again`,
        );
      }
    }
  }

  /** One send with the current producer; with a fresh one (once) if the sequence broke. */
  private async send(send: (producer: Producer) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> {
    for (let attempt = 0; ; attempt++) {
      await this.connect();
      const { producer, generation } = this;
      try {
        return await send(producer);
      } catch (error) {
        if (attempt >= 2 || !brokenSequence(error)) throw error;
        this.replace(generation);
      }
    }
  }

  /** Replaces the producer of `generation` (once, whoever of the concurrent senders asks first). */
  private replace(generation: number): void {
    if (generation !== this.generation) return;
    this.generation += 1;
    kafkaMetrics.producerResets.inc();
    const retired = this.producer;
    this.producer = this.newProducer();
    this.connected = undefined;
    setTimeout(() => void retired.disconnect().catch(() => undefined), RETIRE_AFTER_MS).unref();
  }

  async publish<T extends Topic>(topic: T, records: OutgoingRecord<TopicPayload<T>>[]): Promise<void> {
    if (records.length === 0) return;
    const spans = recordSpansEnabled() ? [] : undefined;
    // Chunks go one after the other, so per-key order holds across them.
    await traced(spans, async () => {
      for (const messages of chunkBySize(records.map((record) => encode(topic, record, spans)))) await this.sendAll([{ topic, messages }]);
    });
  }

  /** Several topics in one request per broker. */
  async publishAll(batches: TopicRecords[]): Promise<void> {
    const spans = recordSpansEnabled() ? [] : undefined;
    const topicMessages = batches
      .filter((batch) => batch.records.length > 0)
      .map((batch) => ({
        topic: batch.topic,
        messages: (batch.records as OutgoingRecord<unknown>[]).map((record) => encode(batch.topic, record, spans)),
      }));
    if (topicMessages.length === 0) return;
    await traced(spans, async () => {
      const total = topicMessages.reduce((n, t) => n + chunkBySize(t.messages).length, 0);
      if (total === topicMessages.length) {
        await this.sendAll(topicMessages);
        return;
      }
      for (const { topic, messages } of topicMessages) {
        for (const chunk of chunkBySize(messages)) await this.sendAll([{ topic, messages: chunk }]);
      }
    });
  }

  /** Publishes raw bytes, for replaying dead letters exactly as they arrived. */
  async publishRaw(topic: string, messages: Message[]): Promise<void> {
    // Copies: the partitioner stamps its choice on each record, not on the caller's objects.
    const copies = messages.map((message) => ({ ...message }));
    for (const chunk of chunkBySize(copies)) await this.sendAll([{ topic, messages: chunk }]);
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}

/** The partitions stamped on `messages`, each once. */
function partitionsOf(messages: readonly Message[]): (number | undefined)[] {
  return [...new Set(messages.map((message) => message.partition))];
}

/** `topic [0, 3]; other [1]`: the partitions of `topicMessages`, for an error message (never a key). */
function describePartitions(topicMessages: readonly TopicMessages[]): string {
  return topicMessages.map(({ topic, messages }) => `${topic} [${partitionsOf(messages).join(', ')}]`).join('; ');
}

/** Runs a send, then ends its records' spans (failed when the send failed): a span lasts until the broker acknowledged. */
async function traced(spans: Span[] | undefined, send: () => Promise<void>): Promise<void> {
  if (!spans) return send();
  try {
    await send();
  } catch (error) {
    endSpans(spans, error);
    throw error;
  }
  endSpans(spans);
}
