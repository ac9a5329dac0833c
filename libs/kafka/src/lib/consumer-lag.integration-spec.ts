import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type EngagementNormalizedV1, Topic } from '@wt/contracts';
import { eventually, normalizedEngagement, testBrokers } from '@wt/testing';
import { createHash, randomUUID } from 'node:crypto';
import { KafkaBatchServer } from './kafka-batch.server';
import { createKafka } from './kafka-connection';
import { kafkaMetrics } from './kafka-metrics';
import { KafkaPublisher } from './kafka-publisher';
import { type RecordBatch } from './record-batch';

const TOPIC = Topic.EngagementNormalizedV1;

@Controller()
class Sink {
  @EventPattern(TOPIC)
  async handle(@Payload() batch: RecordBatch<typeof TOPIC>): Promise<void> {
    await Promise.resolve(batch.records.length);
  }
}

@Module({ controllers: [Sink] })
class SinkModule {}

function engagement(run: string, n: number): { key: string; value: EngagementNormalizedV1 } {
  const personId = createHash('sha256').update(`${run}-${n}`).digest('hex');
  return { key: personId, value: normalizedEngagement(`${run}-${n}`, personId) };
}

/** The partitions wt_consumer_lag reports for the topic, read as a scrape reads it. */
async function gaugePartitions(): Promise<number[]> {
  const metric = await kafkaMetrics.lag.get();
  return metric.values
    .filter((value) => value.labels['topic'] === TOPIC)
    .map((value) => Number(value.labels['partition']))
    .sort((a, b) => a - b);
}

describe('wt_consumer_lag through a rebalance, on the real broker', () => {
  const brokers = testBrokers();
  const publisher = new KafkaPublisher(createKafka({ brokers, clientId: 'lag-it' }));
  const groupId = `lag-it-${randomUUID()}`;
  const started: { app: INestMicroservice; server: KafkaBatchServer }[] = [];

  async function replica(): Promise<KafkaBatchServer> {
    const server = new KafkaBatchServer({
      connection: { brokers, clientId: 'lag-it' },
      groupId,
      service: 'lag-it',
      fromBeginning: false,
      sessionTimeoutMs: 6_000,
    });
    const app = await NestFactory.createMicroservice(SinkModule, {
      strategy: server,
      // The rebalances this test provokes on purpose make kafkajs log heartbeat errors: IT_DEBUG=1 shows them.
      logger: process.env['IT_DEBUG'] ? ['error', 'warn', 'log'] : false,
    });
    await app.listen();
    started.push({ app, server });
    await eventually('replica joined', async () => (server.isReady() ? true : undefined));
    return server;
  }

  /** Records to every partition, until each of `servers` has reported every partition it owns. */
  async function trafficUntilReported(servers: KafkaBatchServer[], partitionCount: number): Promise<void> {
    const run = randomUUID();
    let n = 0;
    await eventually(
      'every owned partition reported',
      async () => {
        await publisher.publish(
          TOPIC,
          Array.from({ length: partitionCount * 8 }, () => engagement(run, n++)),
        );
        const reported = servers.flatMap((server) => server.lag.partitions());
        return reported.length === partitionCount ? true : undefined;
      },
      60_000,
    );
  }

  afterAll(async () => {
    for (const { app } of started.reverse()) await app.close().catch(() => undefined);
    await publisher.disconnect();
  });

  it('a replica that lost partitions to a new member stops reporting them; the survivor reports them all again', async () => {
    const admin = createKafka({ brokers, clientId: 'lag-it' }).admin();
    await admin.connect();
    const partitions = (await admin.fetchTopicOffsets(TOPIC)).map((p) => p.partition).sort((a, b) => a - b);
    await admin.disconnect();
    expect(partitions.length).toBeGreaterThan(1);

    const first = await replica();
    await trafficUntilReported([first], partitions.length);
    expect(await gaugePartitions()).toEqual(partitions);

    const second = await replica();
    // The first replica's rejoin removes what it gave away at once, before any new batch.
    await eventually(
      'the first replica gave partitions away',
      async () => (first.isReady() && first.lag.partitions().length < partitions.length ? true : undefined),
      60_000,
    );
    await trafficUntilReported([first, second], partitions.length);
    const ofFirst = first.lag.partitions();
    const ofSecond = second.lag.partitions();
    expect(ofFirst.length).toBeGreaterThan(0);
    expect(ofSecond.length).toBeGreaterThan(0);
    expect(ofFirst.filter((p) => ofSecond.includes(p))).toEqual([]);
    expect(await gaugePartitions()).toEqual(partitions);

    // The second replica leaves: it reports nothing; the first takes every partition back.
    const leaving = started.pop();
    await leaving?.app.close();
    expect(second.lag.partitions()).toEqual([]);
    await trafficUntilReported([first], partitions.length);
    expect(first.lag.partitions()).toHaveLength(partitions.length);
  }, 180_000);
});
