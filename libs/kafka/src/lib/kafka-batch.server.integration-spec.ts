import { ConsoleLogger, Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type DeadLetterV1, type EngagementNormalizedV1, Topic } from '@wt/contracts';
import { ContactSealer, InMemoryPersonKeyStore } from '@wt/identity';
import { eventually, normalizedEngagement, type ProbedRecord, testBrokers, TopicProbe } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { DeadLetterSealer } from './dead-letter-sealing';
import { KafkaBatchServer, type KafkaBatchServerOptions, onlyRecords } from './kafka-batch.server';
import { kafkaMetrics } from './kafka-metrics';
import { createKafka } from './kafka-connection';
import { KafkaPublisher } from './kafka-publisher';
import { type RecordBatch } from './record-batch';

/** What the test handler saw, and how it should behave. */
const seen: {
  batches: number;
  records: EngagementNormalizedV1[];
  /** Per handler call: the partitions it spans, and the records with their partitions. */
  calls: { partitions: readonly number[]; records: { contentId?: string; partition: number }[] }[];
  failOnce?: string;
  rejectContentId?: string;
  stallOnce?: string;
  stalled?: boolean;
} = {
  batches: 0,
  records: [],
  calls: [],
};

/** The broker's least session timeout (group.min.session.timeout.ms), so an eviction comes fast. */
const SESSION_TIMEOUT_MS = 6_000;

/** Records whose raw value holds this are of no use to the handler: its filter refuses them. */
const NOT_WANTED = 'not-wanted-by-the-probe';

/**
 * The app's logger (and so kafkajs's, through the Nest logger). Two tests below provoke errors on
 * purpose; the ERROR lines they cause are counted, not printed, and the test says in one line what
 * it provoked and how many, so that a passing run prints no unexplained ERROR. Any other error is
 * printed as usual; IT_DEBUG=1 prints everything.
 */
class ExpectedErrorsLogger extends ConsoleLogger {
  private expected: { provoked: string; patterns: readonly RegExp[]; count: number } | undefined;

  /** From now until `report`, error lines matching one of `patterns` are what the test provokes. */
  expect(provoked: string, patterns: readonly RegExp[]): void {
    this.expected = { provoked, patterns, count: 0 };
  }

  /** One line: what the test provoked, and how many ERROR lines that made. */
  report(): void {
    if (this.expected && this.expected.count > 0) {
      process.stdout.write(`[expected] ${this.expected.count} ERROR log lines provoked on purpose: ${this.expected.provoked}\n`);
    }
    this.expected = undefined;
  }

  override error(message: unknown, ...rest: unknown[]): void {
    const text = [message, ...rest].map(String).join(' ');
    if (!process.env['IT_DEBUG'] && this.expected?.patterns.some((p) => p.test(text))) {
      this.expected.count += 1;
      return;
    }
    super.error(message, ...rest);
  }
}

const logger = new ExpectedErrorsLogger('kafka-it', {
  logLevels: process.env['IT_DEBUG'] ? ['error', 'warn', 'log', 'debug'] : ['error'],
});

@Controller()
class ProbeHandler {
  @EventPattern(Topic.EngagementNormalizedV1, onlyRecords((value) => !value.includes(NOT_WANTED)))
  async handle(@Payload() batch: RecordBatch<Topic.EngagementNormalizedV1>): Promise<void> {
    seen.calls.push({
      partitions: batch.partitions,
      records: batch.records.map((r) => ({ contentId: r.value.contentId, partition: r.partition })),
    });
    if (seen.failOnce !== undefined && batch.records.some((r) => r.value.contentId === seen.failOnce)) {
      seen.batches += 1;
      if (seen.batches === 1) throw new Error('simulated failure before the effects are durable');
    }
    if (!seen.stalled && seen.stallOnce !== undefined && batch.records.some((r) => r.value.contentId === seen.stallOnce)) {
      // A batch that outlives the session without a heartbeat: the group evicts this member.
      seen.stalled = true;
      await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 4_000));
    }
    for (const record of batch.records) {
      if (record.value.contentId === seen.rejectContentId) batch.reject(record, 'invalid_phone', 'phone: rejected by the handler');
      else seen.records.push(record.value);
    }
  }
}

@Module({ controllers: [ProbeHandler] })
class ProbeModule {}

function engagement(run: string, n: number): EngagementNormalizedV1 {
  return normalizedEngagement(`${run}-${n}`);
}

/** Dead letters seal their originals: these tests open them with keys held in memory. */
const sealer = new DeadLetterSealer(new ContactSealer(new InMemoryPersonKeyStore()));

/** The dead letters on the probe so far, each with its original value opened (as text). */
async function opened(dlq: TopicProbe<Topic.DeadLetterV1>): Promise<{ letter: ProbedRecord<DeadLetterV1>; original: string }[]> {
  const out: { letter: ProbedRecord<DeadLetterV1>; original: string }[] = [];
  for (const letter of [...dlq.records]) {
    const original = await sealer.openLetter(letter.value);
    if (original.ok) out.push({ letter, original: original.value.toString('utf8') });
  }
  return out;
}

/** Waits for a dead letter whose opened original matches. */
async function letterWhere(
  dlq: TopicProbe<Topic.DeadLetterV1>,
  match: (letter: DeadLetterV1, original: string) => boolean,
): Promise<{ letter: ProbedRecord<DeadLetterV1>; original: string }> {
  return eventually('a matching dead letter', async () => (await opened(dlq)).find((o) => match(o.letter.value, o.original)));
}

describe('KafkaBatchServer on the real broker', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'kafka-it' });
  const publisher = new KafkaPublisher(kafka);
  let app: INestMicroservice;
  let server: KafkaBatchServer;
  let groupId: string;
  let service: string;

  beforeEach(async () => {
    seen.batches = 0;
    seen.records = [];
    seen.calls = [];
    seen.failOnce = undefined;
    seen.rejectContentId = undefined;
    seen.stallOnce = undefined;
    seen.stalled = false;
    groupId = `it-${randomUUID()}`;
    service = `it-${randomUUID().slice(0, 8)}`;
    await startConsumer();
  });

  /** Waits until the group's committed offset is the end of every partition that holds records. */
  /** Publishes record `n` of `run` (the same key each time), then waits until the handler saw it `times` times. */
  async function publishAndSee(run: string, n: number, what: string, timeoutMs: number, times = 1): Promise<void> {
    await publisher.publish(Topic.EngagementNormalizedV1, [{ key: 'a'.repeat(64), value: engagement(run, n) }]);
    const handled = () => seen.records.filter((r) => r.contentId === `${run}-${n}`).length;
    await eventually(what, async () => (handled() >= times ? true : undefined), timeoutMs);
  }

  async function committedToEnds(what: string): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await eventually(what, async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [Topic.EngagementNormalizedV1] });
        const ends = await admin.fetchTopicOffsets(Topic.EngagementNormalizedV1);
        const done = (end: { partition: number; offset: string }) =>
          end.offset === '0' || committed.partitions.find((p) => p.partition === end.partition)?.offset === end.offset;
        return ends.every(done) ? true : undefined;
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** A consumer of the test's group; a new group reads the topic from its start (each test looks at its own run's records). */
  async function startConsumer(options: Partial<KafkaBatchServerOptions> = {}): Promise<void> {
    server = new KafkaBatchServer({
      connection: { brokers, clientId: 'kafka-it' },
      groupId,
      service,
      deadLetterSealer: sealer,
      fromBeginning: true,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      ...options,
    });
    app = await NestFactory.createMicroservice(ProbeModule, {
      strategy: server,
      logger,
    });
    await app.listen();
    await eventually('consumer joined', async () => (server.isReady() ? true : undefined));
  }

  afterEach(async () => {
    await app.close();
    logger.report();
  });

  afterAll(async () => {
    await publisher.disconnect();
  });

  it('hands valid records to the handler and dead-letters invalid ones with the reason', async () => {
    const run = randomUUID();
    const dlq = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    try {
      await publisher.publish(
        Topic.EngagementNormalizedV1,
        [0, 1, 2].map((n) => ({ key: 'a'.repeat(64), value: engagement(run, n) })),
      );
      await publisher.publishRaw(Topic.EngagementNormalizedV1, [
        { key: '+33612345678', value: `{not json ${run}` },
        { key: 'a'.repeat(64), value: JSON.stringify({ ...engagement(run, 3), type: 'poke' }) },
      ]);
      await eventually('three valid records', async () =>
        seen.records.filter((r) => r.contentId?.startsWith(run)).length === 3 ? true : undefined,
      );

      const malformedOpened = await letterWhere(
        dlq,
        (d, original) => d.service === service && d.reason === 'malformed_json' && original.includes(run),
      );
      // A well-formed but unknown type is its own reason (the rest of the record is valid).
      const invalid = (
        await letterWhere(dlq, (d, original) => d.service === service && d.reason === 'unknown_type' && original.includes(run))
      ).letter;
      const malformed = malformedOpened.letter;
      expect(malformed.value.originTopic).toBe(Topic.EngagementNormalizedV1);
      expect(malformedOpened.original).toBe(`{not json ${run}`);
      // Sealed, never in clear.
      expect(malformed.value.payloadBase64).toBe('');
      expect(JSON.stringify(malformed.value)).not.toContain(run);
      // The original key may be a phone number: it never becomes the dead letter's key.
      expect(malformed.key).toBe(`${Topic.EngagementNormalizedV1}:${malformed.value.originPartition}`);
      expect(invalid.value.detail).toMatch(/^type: type must be one of/);
    } finally {
      await dlq.stop();
    }
  });

  it('dead-letters what the handler rejects, and keeps the rest of the batch', async () => {
    const run = randomUUID();
    seen.rejectContentId = `${run}-1`;
    const dlq = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    try {
      await publisher.publish(
        Topic.EngagementNormalizedV1,
        [0, 1, 2].map((n) => ({ key: 'a'.repeat(64), value: engagement(run, n) })),
      );
      const letter = await letterWhere(
        dlq,
        (d, original) => d.service === service && d.reason === 'invalid_phone' && original.includes(run),
      );
      expect((JSON.parse(letter.original) as EngagementNormalizedV1).contentId).toBe(`${run}-1`);
      await eventually('the two others', async () =>
        seen.records.filter((r) => r.contentId?.startsWith(run)).length === 2 ? true : undefined,
      );
    } finally {
      await dlq.stop();
    }
  });

  it("skips what the handler's raw filter refuses, valid or not, without a dead letter, and goes on", async () => {
    const run = randomUUID();
    const dlq = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    try {
      await publisher.publish(Topic.EngagementNormalizedV1, [
        { key: 'a'.repeat(64), value: { ...engagement(run, 0), contentId: `${run}-${NOT_WANTED}` } },
      ]);
      await publisher.publishRaw(Topic.EngagementNormalizedV1, [
        { key: 'a'.repeat(64), value: JSON.stringify({ ...engagement(run, 1), type: 'poke', contentId: `${run}-${NOT_WANTED}` }) },
        { key: 'a'.repeat(64), value: `{not json ${run} ${NOT_WANTED}` },
        { key: 'a'.repeat(64), value: JSON.stringify({ ...engagement(run, 2), type: 'poke' }) },
      ]);
      await publisher.publish(Topic.EngagementNormalizedV1, [{ key: 'a'.repeat(64), value: engagement(run, 3) }]);
      await eventually('the wanted record after the refused ones', async () =>
        seen.records.some((r) => r.contentId === `${run}-3`) ? true : undefined,
      );
      // The invalid record the filter let through is dead-lettered as before; the refused ones never are.
      await letterWhere(dlq, (d, original) => d.service === service && original.includes(`${run}-2`));
      const letters = (await opened(dlq)).filter((o) => o.letter.value.service === service && o.original.includes(run));
      expect(letters.map((o) => o.letter.value.reason)).toEqual(['unknown_type']);
      expect(seen.records.filter((r) => r.contentId?.startsWith(run)).map((r) => r.contentId)).toEqual([`${run}-3`]);
    } finally {
      await dlq.stop();
    }
  });

  it("gathers a fetch's partitions into one call, dead-letters each record with its own partition, and commits every partition", async () => {
    const run = randomUUID();
    // Stopped while the records arrive, so that its first fetch after joining brings them all.
    await app.close();
    const keys = Array.from({ length: 24 }, (_, n) => n.toString(16).padStart(64, '0'));
    await publisher.publish(
      Topic.EngagementNormalizedV1,
      keys.map((key, n) => ({ key, value: engagement(run, n) })),
    );
    await publisher.publishRaw(Topic.EngagementNormalizedV1, [{ key: keys[5], value: `{not json ${run}` }]);
    const dlq = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    try {
      await startConsumer();
      await eventually('every record', async () =>
        seen.records.filter((r) => r.contentId?.startsWith(run)).length === keys.length ? true : undefined,
      );
      const ours = seen.calls.filter((c) => c.records.some((r) => r.contentId?.startsWith(run)));
      const partitions = new Set(ours.flatMap((c) => c.records.map((r) => r.partition)));
      expect(partitions.size).toBeGreaterThan(1);
      // One call for the fetch: every partition's records, each partition's in order.
      expect(ours).toHaveLength(1);
      expect([...ours[0]!.partitions].sort()).toEqual([...partitions].sort());
      for (const partition of partitions) {
        const numbers = ours[0]!.records
          .filter((r) => r.partition === partition && r.contentId?.startsWith(run))
          .map((r) => Number(r.contentId!.split('-').at(-1)));
        expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      }
      const { letter } = await letterWhere(dlq, (d, original) => d.service === service && original === `{not json ${run}`);
      const partitionOfKey5 = ours[0]!.records.find((r) => r.contentId === `${run}-5`)!.partition;
      expect(letter.value.originPartition).toBe(partitionOfKey5);
      expect(letter.key).toBe(`${Topic.EngagementNormalizedV1}:${partitionOfKey5}`);

      await committedToEnds('every partition committed to its end');
    } finally {
      await dlq.stop();
    }
  });

  it('commits nothing when the handler fails, so the batch comes again (provokes a handler error on purpose)', async () => {
    const run = randomUUID();
    // The handler throws once: Nest logs the exception and kafkajs logs the failed eachBatch calls.
    logger.expect('the handler threw once ("simulated failure"), and the batch came again', [
      /simulated failure before the effects are durable/,
      /Error when calling eachBatch/,
    ]);
    seen.failOnce = `${run}-0`;
    await publishAndSee(run, 0, 'redelivery after the failure', 45_000);
    expect(seen.batches).toBeGreaterThanOrEqual(2);

    // Once handled, the group's committed offset is the end of the partition.
    await committedToEnds('offsets committed to the end');
  });

  it('keeps its member through a batch longer than the session: it heartbeats while the handler works', async () => {
    const run = randomUUID();
    const restarts = (await kafkaMetrics.consumerRestarts.get()).values[0]?.value ?? 0;
    seen.stallOnce = `${run}-0`;
    await publishAndSee(run, 0, 'the long batch handled', 45_000);
    await committedToEnds('the long batch committed');
    expect(seen.stalled).toBe(true);
    expect(seen.records.filter((r) => r.contentId === `${run}-0`)).toHaveLength(1);
    expect((await kafkaMetrics.consumerRestarts.get()).values[0]?.value ?? 0).toBe(restarts);
  }, 90_000);

  it('rejoins its group after being evicted mid-batch, and the uncommitted batch comes again (provokes an eviction on purpose)', async () => {
    const run = randomUUID();
    // Heartbeats during the handler's work stop after 1 s: the stalled batch outlives the session.
    await app.close();
    await startConsumer({ maxHandlerHeartbeatMs: 1_000 });
    // Evicted, the member's commit is refused: kafkajs logs the refusals (and a crash, if any, the server its restart).
    logger.expect('the consumer was evicted mid-batch ("not aware of this member"), then rejoined', [
      /The coordinator is not aware of this member/,
      /consumer crashed \(restart: (true|false)\)/,
    ]);
    seen.stallOnce = `${run}-0`;
    // The stalled batch's commit is refused (the member is unknown after the eviction): kafkajs
    // rejoins (or crashes and the server rejoins), and the uncommitted batch comes again.
    await publishAndSee(run, 0, 'the batch handled again after rejoining', 60_000, 2);
    await eventually('the consumer is in its group again', async () => (server.isReady() ? true : undefined), 30_000);
    await publishAndSee(run, 1, 'new records flow after the rejoin', 30_000);
  }, 120_000);
});
