import { Topic, TOPIC_SPECS } from '@wt/contracts';
import { type Admin, type Kafka, KafkaJSProtocolError } from 'kafkajs';
import { awaitTopicMetadata, ensureTopics } from './topic-admin';

/** What a broker answers while it has not applied a new topic yet (provoked on purpose here). */
const notServedYet = () =>
  Object.assign(new KafkaJSProtocolError('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });

type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;
const served = (topics: readonly string[], leader = 0): Metadata => ({
  topics: topics.map((name) => ({
    name,
    partitions: [{ partitionId: 0, leader, replicas: [0], isr: [0], offlineReplicas: [], partitionErrorCode: 0 }],
  })),
});

/** A broker that serves new topics only after `lagging` metadata answers (UNKNOWN_TOPIC_OR_PARTITION, then no leader yet). */
function laggingBroker(lagging: number) {
  let asked = 0;
  const fetchTopicMetadata = jest.fn(async ({ topics = [] }: { topics?: string[] } = {}) => {
    asked++;
    if (asked < lagging) throw notServedYet();
    if (asked === lagging) return served(topics, -1);
    return served(topics);
  });
  return { fetchTopicMetadata };
}

describe('awaitTopicMetadata', () => {
  it('asks again while the broker has not applied the new topic (UNKNOWN_TOPIC_OR_PARTITION) or it has no leader yet', async () => {
    const broker = laggingBroker(3);
    await awaitTopicMetadata(broker, ['a.v1', 'b.v1'], 5_000, 1);
    expect(broker.fetchTopicMetadata).toHaveBeenCalledTimes(4);
  });

  it('throws any other error at once', async () => {
    const fetchTopicMetadata = jest.fn(async () => {
      throw Object.assign(new KafkaJSProtocolError('Not authorized to access topics'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
    });
    await expect(awaitTopicMetadata({ fetchTopicMetadata }, ['a.v1'], 5_000, 1)).rejects.toThrow('Not authorized');
    expect(fetchTopicMetadata).toHaveBeenCalledTimes(1);
  });

  it('gives up after its timeout, saying what it waited for', async () => {
    const fetchTopicMetadata = jest.fn(async () => {
      throw notServedYet();
    });
    await expect(awaitTopicMetadata({ fetchTopicMetadata }, ['a.v1'], 20, 1)).rejects.toThrow(/UNKNOWN_TOPIC_OR_PARTITION/);
  });
});

describe('ensureTopics', () => {
  it('creates the missing topics and returns once the broker serves them, even when its metadata lags behind the controller', async () => {
    const broker = laggingBroker(3);
    const created: string[] = [];
    const admin = {
      connect: jest.fn(async () => undefined),
      disconnect: jest.fn(async () => undefined),
      describeCluster: jest.fn(async () => ({ brokers: [{ nodeId: 0, host: 'localhost', port: 9092 }], controller: 0, clusterId: 'c' })),
      listTopics: jest.fn(async () => []),
      // kafkajs's waitForLeaders asks the metadata once the controller answered and fails on
      // UNKNOWN_TOPIC_OR_PARTITION (it waits out LEADER_NOT_AVAILABLE only): as it does here.
      createTopics: jest.fn(async ({ topics, waitForLeaders = true }: { topics: { topic: string }[]; waitForLeaders?: boolean }) => {
        created.push(...topics.map((t) => t.topic));
        if (waitForLeaders) await broker.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
        return true;
      }),
      fetchTopicMetadata: broker.fetchTopicMetadata,
    };
    const kafka = { admin: () => admin } as unknown as Kafka;

    const result = await ensureTopics(kafka, [TOPIC_SPECS[Topic.CampaignsV1]]);

    expect(result.created).toEqual([Topic.CampaignsV1]);
    expect(created).toEqual([Topic.CampaignsV1]);
    // It returned once the broker served the topic with a leader (the fourth answer), not before.
    expect(broker.fetchTopicMetadata).toHaveBeenCalledTimes(4);
    expect(admin.disconnect).toHaveBeenCalled();
  });
});
