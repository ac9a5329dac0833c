import { Logger } from '@nestjs/common';
import { Topic } from '@wt/contracts';
import { type Consumer, type Kafka } from 'kafkajs';
import { KafkaBatchServer } from './kafka-batch.server';
import { type KafkaPublisher } from './kafka-publisher';

/** A consumer whose connect does what it is told, and whose events the test fires. */
function fakeConsumer(connect: () => Promise<void>) {
  const listeners = new Map<string, (event: unknown) => void>();
  return {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', STOP: 'consumer.stop' },
    on: (event: string, listener: (event: unknown) => void) => listeners.set(event, listener),
    fire: (event: string, payload: unknown) => listeners.get(event)?.({ payload }),
    connect: jest.fn(connect),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
  };
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
