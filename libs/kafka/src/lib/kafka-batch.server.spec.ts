import { Logger } from '@nestjs/common';
import { Topic } from '@wt/contracts';
import { normalizedEngagement } from '@wt/testing';
import {
  type Consumer,
  type ConsumerConfig,
  type ConsumerRunConfig,
  type EachBatchPayload,
  type Kafka,
  KafkaJSProtocolError,
  type KafkaMessage,
} from 'kafkajs';
import { CoordinatorGone, coordinatorFailure, DECODE_SLICE, KafkaBatchServer, type KafkaBatchServerOptions } from './kafka-batch.server';
import { CONSUMER_METADATA_MAX_AGE_MS, CONSUMER_RETRY, retryPausesMs } from './client-settings';
import { type KafkaPublisher } from './kafka-publisher';
import { type RecordBatch } from './record-batch';

// kafkajs's own test of an error its consumer loop rejoins the group on, as the same member.
const { isRebalancing } = require('kafkajs/src/errors') as { isRebalancing: (error: unknown) => boolean };

/** A consumer whose connect does what it is told, and whose events the test fires. */
function fakeConsumer(connect: () => Promise<void>) {
  const listeners = new Map<string, (event: unknown) => void>();
  return {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', STOP: 'consumer.stop' },
    on: (event: string, listener: (event: unknown) => void) => listeners.set(event, listener),
    fire: (event: string, payload: unknown) => listeners.get(event)?.({ payload }),
    connect: jest.fn(connect),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async (_config?: ConsumerRunConfig) => undefined),
    disconnect: jest.fn(async () => undefined),
  };
}

/** A server of one topic over `consumer`, listening; `eachBatch` is what it gave kafkajs. */
async function listeningServer(
  consumer: ReturnType<typeof fakeConsumer>,
  handler: (batch: RecordBatch<Topic>) => Promise<void>,
  options: Partial<KafkaBatchServerOptions> = {},
) {
  const server = new KafkaBatchServer({
    service: 'test',
    groupId: 'g',
    connection: { brokers: ['127.0.0.1:1'], clientId: 't' },
    publisher: { connect: jest.fn(async () => undefined) } as unknown as KafkaPublisher,
    ...options,
  });
  Object.assign(server, { kafka: { consumer: () => consumer as unknown as Consumer } as unknown as Kafka });
  server.addHandler(Topic.EngagementNormalizedV1, handler, true);
  await new Promise<unknown>((resolve) => void server.listen(resolve));
  const eachBatch = consumer.run.mock.calls[0]?.[0]?.eachBatch;
  if (!eachBatch) throw new Error('the server runs its consumer with eachBatch');
  return { server, eachBatch };
}

/** One partition's fetch of one valid record, with the group calls a test looks at. */
function fetchOfOne() {
  const heartbeat = jest.fn(async () => undefined);
  const commitOffsetsIfNecessary = jest.fn(async () => undefined);
  const payload = {
    batch: {
      topic: Topic.EngagementNormalizedV1,
      partition: 3,
      highWatermark: '8',
      lastOffset: () => '7',
      messages: [
        {
          key: Buffer.from('k'),
          value: Buffer.from(JSON.stringify(normalizedEngagement('c-1'))),
          offset: '7',
          timestamp: '0',
          attributes: 0,
          headers: {},
        },
      ],
    },
    resolveOffset: jest.fn(),
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, heartbeat, commitOffsetsIfNecessary };
}

describe('KafkaBatchServer rejoining its group', () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tries again when a rejoin cannot even connect, and is ready once a consumer joins', async () => {
    const consumers = [
      fakeConsumer(async () => undefined),
      fakeConsumer(async () => Promise.reject(new Error('Connection error: connect ECONNREFUSED'))),
      fakeConsumer(async () => undefined),
    ];
    const made: ReturnType<typeof fakeConsumer>[] = [];
    const kafka = {
      consumer: jest.fn(() => {
        const next = consumers[made.length];
        if (!next) throw new Error('more consumers than the test expects');
        made.push(next);
        return next as unknown as Consumer;
      }),
    };
    const publisher = { connect: jest.fn(async () => undefined) } as unknown as KafkaPublisher;
    const server = new KafkaBatchServer({
      service: 'test',
      groupId: 'g',
      connection: { brokers: ['127.0.0.1:1'], clientId: 't' },
      publisher,
    });
    Object.assign(server, { kafka: kafka as unknown as Kafka });
    server.addHandler(Topic.EngagementNormalizedV1, async () => undefined, true);

    const listened = new Promise<unknown>((resolve) => void server.listen(resolve));
    await expect(listened).resolves.toBeUndefined();
    made[0]?.fire('consumer.group_join', {});
    expect(server.isReady()).toBe(true);

    // A crash kafkajs will not restart from: the server rejoins after 1 s...
    made[0]?.fire('consumer.crash', { restart: false, error: new Error('The coordinator is not aware of this member') });
    expect(server.isReady()).toBe(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(made).toHaveLength(2);
    expect(made[1]?.run).not.toHaveBeenCalled();
    expect(made[1]?.disconnect).toHaveBeenCalled();

    // ...and, the broker still down, again 2 s later, instead of giving up.
    await jest.advanceTimersByTimeAsync(1_999);
    expect(made).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(made).toHaveLength(3);
    expect(made[2]?.subscribe).toHaveBeenCalledWith({ topics: [Topic.EngagementNormalizedV1], fromBeginning: true });
    expect(made[2]?.run).toHaveBeenCalledTimes(1);
    made[2]?.fire('consumer.group_join', {});
    expect(server.isReady()).toBe(true);

    await server.close();
    expect(made[2]?.disconnect).toHaveBeenCalled();
  });
});

describe('KafkaBatchServer consumer settings', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it("asks for the cluster's metadata at least every second, so that a fetch from a killed leader finds the new one", async () => {
    const consumer = fakeConsumer(async () => undefined);
    const made = jest.fn((_config: ConsumerConfig) => consumer as unknown as Consumer);
    const server = new KafkaBatchServer({
      service: 'test',
      groupId: 'g',
      connection: { brokers: ['127.0.0.1:1'], clientId: 't' },
      publisher: { connect: jest.fn(async () => undefined) } as unknown as KafkaPublisher,
    });
    Object.assign(server, { kafka: { consumer: made } as unknown as Kafka });
    server.addHandler(Topic.EngagementNormalizedV1, async () => undefined, true);
    await new Promise<unknown>((resolve) => void server.listen(resolve));

    // kafkajs's default is 5 min: a consumer that cannot connect to a partition's leader (killed,
    // not yet fenced) does not refresh its metadata on that error, and failed every fetch until
    // its retries ran out (about 11 s) and it restarted.
    const metadataMaxAge = made.mock.calls[0]?.[0].metadataMaxAge;
    expect(metadataMaxAge).toBe(CONSUMER_METADATA_MAX_AGE_MS);
    expect(CONSUMER_METADATA_MAX_AGE_MS + Math.max(...retryPausesMs(CONSUMER_RETRY))).toBeLessThanOrEqual(1_500);
    await server.close();
  });
});

describe('a group coordinator that refuses or went away', () => {
  const protocolError = (type: string) => Object.assign(new KafkaJSProtocolError(`${type} (a refusal the test provokes)`), { type });

  it("rejoins as the same member: the refusal kafkajs's loop rejoins on passes through, the others become one", () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION']) {
      const refusal = protocolError(type);
      expect(coordinatorFailure(refusal)).toBe(refusal);
      expect(isRebalancing(refusal)).toBe(true);
    }
    const gone = [
      protocolError('GROUP_COORDINATOR_NOT_AVAILABLE'),
      protocolError('COORDINATOR_LOAD_IN_PROGRESS'),
      Object.assign(new Error('Connection error: ECONNREFUSED (provoked)'), { name: 'KafkaJSConnectionError' }),
      // The coordinator's node died and left the metadata: the offset manager cannot find it again.
      Object.assign(new Error('Broker 2 not found in the cached metadata (provoked)'), { name: 'KafkaJSBrokerNotFound' }),
      Object.assign(new Error('retries exhausted (provoked)'), { cause: protocolError('NOT_COORDINATOR_FOR_GROUP') }),
    ];
    for (const error of gone) {
      const failure = coordinatorFailure(error);
      expect(failure).toBeInstanceOf(CoordinatorGone);
      expect(isRebalancing(failure)).toBe(true);
      expect((failure as CoordinatorGone).retriable).toBe(true);
    }
  });

  it('leaves an unknown member (kafkajs rejoins as a new one) and other errors as they are', () => {
    const unknownMember = protocolError('UNKNOWN_MEMBER_ID');
    expect(coordinatorFailure(unknownMember)).toBe(unknownMember);
    const other = new Error('something else');
    expect(coordinatorFailure(other)).toBe(other);
  });
});

describe('KafkaBatchServer committing and heartbeating (fake consumer)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it("commits a batch in one request straight to the coordinator, not through kafkajs's retries", async () => {
    const consumer = Object.assign(
      fakeConsumer(async () => undefined),
      { commitOffsets: jest.fn(async () => undefined) },
    );
    const { server, eachBatch } = await listeningServer(consumer, async () => undefined);
    const { payload, commitOffsetsIfNecessary } = fetchOfOne();
    await eachBatch(payload);
    expect(commitOffsetsIfNecessary).toHaveBeenCalledWith({
      topics: [{ topic: Topic.EngagementNormalizedV1, partitions: [{ partition: 3, offset: '8' }] }],
    });
    expect(consumer.commitOffsets).not.toHaveBeenCalled();
    await server.close();
  });

  it('throws a commit the coordinator refuses as an error kafkajs rejoins on, without crashing the consumer (provokes the refusal)', async () => {
    const consumer = fakeConsumer(async () => undefined);
    const { server, eachBatch } = await listeningServer(consumer, async () => undefined);
    const { payload, commitOffsetsIfNecessary } = fetchOfOne();
    commitOffsetsIfNecessary.mockRejectedValueOnce(
      Object.assign(new Error('connection closed (provoked)'), { name: 'KafkaJSConnectionClosedError' }),
    );
    const failure: unknown = await eachBatch(payload).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CoordinatorGone);
    expect(isRebalancing(failure)).toBe(true);
    await server.close();
  });

  it("gives a batch up before its effect when the group refuses the member's heartbeat there (a zombie woken past its session; the refusal is provoked)", async () => {
    const consumer = fakeConsumer(async () => undefined);
    const publish = jest.fn();
    const { server, eachBatch } = await listeningServer(consumer, async (batch) => {
      await batch.fence();
      publish();
    });
    const { payload, heartbeat, commitOffsetsIfNecessary } = fetchOfOne();
    const refusal = Object.assign(new KafkaJSProtocolError('The coordinator is not aware of this member (provoked)'), {
      type: 'UNKNOWN_MEMBER_ID',
    });
    // The check before the batch's effects passes (the freeze comes after it), the fence's is refused.
    heartbeat.mockResolvedValueOnce(undefined).mockRejectedValueOnce(refusal);
    const failure: unknown = await eachBatch(payload).catch((error: unknown) => error);
    // kafkajs rejoins on this refusal as it is; nothing published, committed, retried or dead-lettered.
    expect(failure).toBe(refusal);
    expect(publish).not.toHaveBeenCalled();
    expect(commitOffsetsIfNecessary).not.toHaveBeenCalled();
    expect(heartbeat).toHaveBeenCalledTimes(2);
    await server.close();
  });

  it('heartbeats while a long handler call works, for a bounded time', async () => {
    jest.useFakeTimers();
    let finish = (): void => undefined;
    const consumer = fakeConsumer(async () => undefined);
    const { server, eachBatch } = await listeningServer(consumer, () => new Promise<void>((resolve) => (finish = resolve)), {
      maxHandlerHeartbeatMs: 20_000,
    });
    const { payload, heartbeat, commitOffsetsIfNecessary } = fetchOfOne();
    const done = eachBatch(payload);
    await jest.advanceTimersByTimeAsync(0);
    const before = heartbeat.mock.calls.length; // the check before the effects
    // Past a 10 s session: asked every second, kafkajs sends one every 3 s.
    await jest.advanceTimersByTimeAsync(12_000);
    expect(heartbeat.mock.calls.length - before).toBe(12);
    // The bound: nothing more after 20 s, so a stuck handler lets its member be evicted.
    await jest.advanceTimersByTimeAsync(60_000);
    expect(heartbeat.mock.calls.length - before).toBe(20);
    finish();
    await done;
    expect(commitOffsetsIfNecessary).toHaveBeenCalledTimes(1);
    const after = heartbeat.mock.calls.length;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(heartbeat.mock.calls.length).toBe(after);
    await server.close();
  });
});

describe('KafkaBatchServer decoding a large fetch (fake consumer)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('yields to the event loop between slices of DECODE_SLICE records, and hands every record on in order', async () => {
    const consumer = fakeConsumer(async () => undefined);
    let turns = 0;
    let turnsAtHandler = -1;
    let offsets: string[] = [];
    const { server, eachBatch } = await listeningServer(consumer, async (batch) => {
      turnsAtHandler = turns;
      offsets = batch.records.map((record) => record.offset);
    });
    const { payload } = fetchOfOne();
    const [message] = payload.batch.messages;
    const count = DECODE_SLICE * 3;
    payload.batch.messages = Array.from({ length: count }, (_, i) => ({ ...message, offset: String(i) }) as KafkaMessage);
    const done = eachBatch(payload);
    // Counts the turns of the event loop (an immediate per turn) until the fetch is handled.
    let handled = false;
    const tick = () => {
      turns += 1;
      if (!handled) setImmediate(tick);
    };
    setImmediate(tick);
    await done;
    handled = true;
    // Three slices, two yields: two turns went by (timers and sockets ran) before the handler's call.
    expect(turnsAtHandler).toBeGreaterThanOrEqual(2);
    expect(offsets).toEqual(Array.from({ length: count }, (_, i) => String(i)));
    await server.close();
  });
});
