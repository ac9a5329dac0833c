import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsentEventV1, type DeadLetterV1, Topic } from '@wt/contracts';
import { ContactSealer, InMemoryPersonKeyStore } from '@wt/identity';
import { eventually, testBrokers, TopicProbe } from '@wt/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { createHash, randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { BatchFailureInterceptor } from './batch-failure.interceptor';
import { DeadLetterSealer } from './dead-letter-sealing';
import { KafkaBatchServer } from './kafka-batch.server';
import { createKafka } from './kafka-connection';
import { KafkaPublisher } from './kafka-publisher';
import { type RecordBatch } from './record-batch';

const seen: { sources: string[] } = { sources: [] };

@Controller()
class ConsentHandler {
  @EventPattern(Topic.ConsentV1)
  handle(@Payload() batch: RecordBatch<Topic.ConsentV1>): void {
    for (const record of batch.records) seen.sources.push(record.value.source);
  }
}

@Module({ controllers: [ConsentHandler] })
class ConsentModule {}

function consent(source: string): ConsentEventV1 {
  return { phone: '+33612345678', purpose: 'cross_app_profiling', status: 'granted', occurredAt: '2026-11-28T10:00:00.000Z', source };
}

/** wt_records_skipped_total for a topic and reason, as /metrics shows it. */
async function skipped(topic: string, reason: string): Promise<number> {
  const metric = await register.getSingleMetric('wt_records_skipped_total')?.get();
  return metric?.values.find((v) => v.labels['topic'] === topic && v.labels['reason'] === reason)?.value ?? 0;
}

describe('hostile records on the real broker', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'hostile-it' });
  const publisher = new KafkaPublisher(kafka);
  const sealer = new DeadLetterSealer(new ContactSealer(new InMemoryPersonKeyStore()));
  let app: INestMicroservice;
  let service: string;
  let dlq: TopicProbe<Topic.DeadLetterV1>;

  beforeEach(async () => {
    seen.sources = [];
    service = `it-${randomUUID().slice(0, 8)}`;
    dlq = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    const server = new KafkaBatchServer({
      connection: { brokers, clientId: 'hostile-it' },
      groupId: `it-${randomUUID()}`,
      service,
      deadLetterSealer: sealer,
    });
    app = await NestFactory.createMicroservice(ConsentModule, { strategy: server, logger: ['error'] });
    app.useGlobalInterceptors(new BatchFailureInterceptor());
    await app.listen();
    await eventually('consumer joined', async () => (server.isReady() ? true : undefined));
  });

  afterEach(async () => {
    await app.close();
    await dlq.stop();
  });

  afterAll(async () => {
    await publisher.disconnect();
  });

  /** The broker's max.message.bytes for the dead-letter topic (its own setting, else the broker's). */
  async function deadLetterTopicLimit(): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: Topic.DeadLetterV1, configNames: ['max.message.bytes'] }],
      });
      return Number(described.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
    } finally {
      await admin.disconnect();
    }
  }

  it('dead-letters a ~900 KB invalid record as oversized, in a dead letter that fits, and the partition keeps flowing', async () => {
    const run = randomUUID();
    // An invalid consent (its source is 900 KB of text), the size that made dead letters too large for the broker.
    const huge = Buffer.from(JSON.stringify({ ...consent(run), source: `${run}:${'x'.repeat(900 * 1024)}` }));
    await publisher.publishRaw(Topic.ConsentV1, [{ key: 'k', value: huge }]);
    await publisher.publish(Topic.ConsentV1, [{ key: 'k', value: consent(`after-${run}`) }]);

    const sha256 = createHash('sha256').update(huge).digest('hex');
    const letter = await dlq.waitFor((d) => d.service === service && d.payloadSha256 === sha256, 60_000);
    expect(letter.value).toMatchObject({
      reason: 'oversized',
      originTopic: Topic.ConsentV1,
      payloadBytes: huge.length,
      payloadTruncated: true,
      payloadBase64: '',
    });
    expect(Buffer.byteLength(JSON.stringify(letter.value))).toBeLessThan(await deadLetterTopicLimit());
    const opened = await sealer.openLetter(letter.value);
    expect(opened.ok && opened.value.toString().startsWith(huge.subarray(0, 1000).toString())).toBe(true);

    // The record after it, same key, same partition, is handled.
    await eventually('the record after the oversized one', async () => (seen.sources.includes(`after-${run}`) ? true : undefined), 60_000);
    expect(seen.sources.filter((s) => s.includes(run) && !s.startsWith('after-'))).toEqual([]);
  }, 120_000);

  it('dead-letters a null value on a topic where a tombstone means nothing, counts it, and goes on', async () => {
    const run = randomUUID();
    const before = await skipped(Topic.ConsentV1, 'null_value');
    await publisher.publishRaw(Topic.ConsentV1, [{ key: `tombstone-${run}`, value: null }]);
    await publisher.publish(Topic.ConsentV1, [{ key: `tombstone-${run}`, value: consent(`after-${run}`) }]);

    await eventually('the record after the null value', async () => (seen.sources.includes(`after-${run}`) ? true : undefined), 60_000);
    const letters = (): DeadLetterV1[] => dlq.records.map((r) => r.value).filter((d) => d.service === service && d.reason === 'null_value');
    await eventually('its dead letter', async () => (letters().length > 0 ? true : undefined));
    expect(letters()[0]).toMatchObject({ originTopic: Topic.ConsentV1, payloadBytes: 0 });
    // The original key (here a marker; a producer's could be a phone number) is nowhere in clear.
    expect(JSON.stringify(letters())).not.toContain(run);
    expect(await skipped(Topic.ConsentV1, 'null_value')).toBeGreaterThan(before);
  }, 120_000);
});
