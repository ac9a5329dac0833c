import { Logger } from '@nestjs/common';
import { Topic } from '@wt/contracts';
import { type Consumer, type Kafka } from 'kafkajs';
import { register } from 'prom-client';
import { ConsumerLagReport, type LagGauge } from './consumer-lag';
import { KafkaBatchServer } from './kafka-batch.server';
import { kafkaMetrics } from './kafka-metrics';
import { type KafkaPublisher } from './kafka-publisher';

/** A gauge that keeps its series in a map, as Prometheus would see them. */
function fakeGauge() {
  const series = new Map<string, number>();
  const gauge: LagGauge = {
    set: ({ topic, partition }, value) => void series.set(`${topic}:${partition}`, value),
    remove: ({ topic, partition }) => void series.delete(`${topic}:${partition}`),
  };
  return { gauge, series };
}

describe('ConsumerLagReport', () => {
  function newReport(staleAfterMs = 60_000) {
    const clock = { now: 1_000_000 };
    const { gauge, series } = fakeGauge();
    return { report: new ConsumerLagReport(gauge, staleAfterMs, () => clock.now), series, clock };
  }

  it('reports the records behind the end after a batch', () => {
    const { report, series } = newReport();
    report.reportBatch('a.v1', 0, '120', '99');
    expect(series.get('a.v1:0')).toBe(20);
    report.reportBatch('a.v1', 0, '120', '119');
    expect(series.get('a.v1:0')).toBe(0);
  });

  it('stops reporting a partition a rebalance took away, and keeps those still owned', () => {
    const { report, series } = newReport();
    report.reportBatch('a.v1', 0, '50', '9');
    report.reportBatch('a.v1', 1, '50', '19');
    report.reportBatch('b.v1', 0, '10', '4');
    report.assigned({ 'a.v1': [1], 'b.v1': [] });
    expect([...series.keys()]).toEqual(['a.v1:1']);
    expect(series.get('a.v1:1')).toBe(30);
    expect(report.partitions()).toEqual(['a.v1:1']);
  });

  it('reports nothing once the consumer stopped or crashed', () => {
    const { report, series } = newReport();
    report.reportBatch('a.v1', 0, '50', '9');
    report.reportBatch('a.v1', 1, '50', '9');
    report.clear();
    expect(series.size).toBe(0);
  });

  it('drops a figure no batch refreshed within the window: a stuck consumer shows no stale lag', () => {
    const { report, series, clock } = newReport(60_000);
    report.reportBatch('a.v1', 0, '50', '9');
    clock.now += 30_000;
    report.reportBatch('a.v1', 1, '50', '9');
    clock.now += 30_001;
    report.expireStale();
    expect([...series.keys()]).toEqual(['a.v1:1']);
    clock.now += 30_000;
    report.expireStale();
    expect(series.size).toBe(0);
  });
});

describe('KafkaBatchServer lag on rebalance (fake consumer)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it("removes the partitions a rejoin's assignment no longer holds from wt_consumer_lag, and all of them on stop", async () => {
    const listeners = new Map<string, (event: unknown) => void>();
    const consumer = {
      events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', STOP: 'consumer.stop' },
      on: (event: string, listener: (event: unknown) => void) => listeners.set(event, listener),
      connect: jest.fn(async () => undefined),
      subscribe: jest.fn(async () => undefined),
      run: jest.fn(async () => undefined),
      disconnect: jest.fn(async () => undefined),
    };
    const server = new KafkaBatchServer({
      service: 'test',
      groupId: 'g',
      connection: { brokers: ['127.0.0.1:1'], clientId: 't' },
      publisher: { connect: jest.fn(async () => undefined) } as unknown as KafkaPublisher,
    });
    Object.assign(server, { kafka: { consumer: () => consumer as unknown as Consumer } as unknown as Kafka });
    server.addHandler(Topic.EngagementNormalizedV1, async () => undefined, true);
    await new Promise<unknown>((resolve) => void server.listen(resolve));
    const topic = Topic.EngagementNormalizedV1;
    const lagSeries = async () =>
      ((await kafkaMetrics.lag.get()).values ?? [])
        .filter((value) => value.labels['topic'] === topic)
        .map((v) => `${v.labels['partition']}=${v.value}`);

    listeners.get('consumer.group_join')?.({ payload: { memberAssignment: { [topic]: [0, 1, 2] } } });
    server.lag.reportBatch(topic, 0, '10', '4');
    server.lag.reportBatch(topic, 1, '10', '6');
    server.lag.reportBatch(topic, 2, '10', '8');
    expect((await lagSeries()).sort()).toEqual(['0=5', '1=3', '2=1']);
    // A second replica joined: this one keeps partition 2 only.
    listeners.get('consumer.group_join')?.({ payload: { memberAssignment: { [topic]: [2] } } });
    expect(await lagSeries()).toEqual(['2=1']);
    expect(await register.getSingleMetricAsString('wt_consumer_lag')).not.toContain('partition="0"');
    listeners.get('consumer.stop')?.({ payload: {} });
    expect(await lagSeries()).toEqual([]);
    await server.close();
  });
});
