import { ALL_TOPIC_SPECS, topicConfigEntries, type TopicSpec } from '@wt/contracts';
import { type Admin, ConfigResourceTypes, type Kafka } from 'kafkajs';

export interface TopicDrift {
  topic: string;
  setting: string;
  expected: string;
  actual: string;
}

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** Settings that differ on the cluster; fixed in place where Kafka allows it. */
  drift: TopicDrift[];
}

/** Replicas of a new topic when none is asked for: three on a cluster of three or more brokers, else one per broker. */
export const DEFAULT_REPLICATION_FACTOR = 3;

/** How long new topics may take to be served, each partition with a leader, by the broker asked. */
export const TOPIC_METADATA_TIMEOUT_MS = 60_000;

/** What a broker answers for a topic it does not serve yet (its metadata behind the controller's). */
const NOT_YET_SERVED = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Waits until `topics` are in the broker's metadata, each partition with a leader. A KRaft
 * controller answers CreateTopics once the topic is in its metadata log; a broker serves it once
 * it has applied that record, which a busy machine delays: until then the broker answers
 * UNKNOWN_TOPIC_OR_PARTITION. kafkajs's own `waitForLeaders` waits out LEADER_NOT_AVAILABLE only and
 * fails on that answer (kafkajs 2.2.4, admin `createTopics`), as `fetchTopicMetadata` does; those two
 * answers are asked again here, any other error is thrown.
 */
export async function awaitTopicMetadata(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  topics: readonly string[],
  timeoutMs = TOPIC_METADATA_TIMEOUT_MS,
  pollMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let waitingFor: string;
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = topics.filter((topic) => {
        const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
        return partitions.length === 0 || partitions.some((p) => p.leader < 0);
      });
      if (leaderless.length === 0) return;
      waitingFor = `leaders of ${leaderless.join(', ')}`;
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (typeof type !== 'string' || !NOT_YET_SERVED.has(type)) throw error;
      waitingFor = `the broker to serve the new topics (${type})`;
    }
    if (Date.now() >= deadline) throw new Error(`topics not ready after ${timeoutMs} ms: waiting for ${waitingFor}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Makes the cluster match the topic catalogue of @wt/contracts: creates missing topics, raises
 * partition counts that are too low, and aligns cleanup policy and retention. Idempotent.
 * New topics get `replicationFactor` replicas, by default three (or as many as there are brokers,
 * on a smaller cluster); their `min.insync.replicas` is the broker's (2 on the local cluster).
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[] = ALL_TOPIC_SPECS,
  replicationFactor?: number,
): Promise<EnsureTopicsResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // kafkajs speaks CreateTopics v3 at most, where -1 ("the broker's default") is not allowed.
    replicationFactor ??= Math.min(DEFAULT_REPLICATION_FACTOR, (await admin.describeCluster()).brokers.length);
    const present = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !present.has(spec.topic));
    if (missing.length > 0) {
      // Not kafkajs's waitForLeaders: it fails while the broker has not caught up with the controller.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor,
          configEntries: Object.entries(topicConfigEntries(spec)).map(([name, value]) => ({ name, value })),
        })),
      });
      await awaitTopicMetadata(
        admin,
        missing.map((spec) => spec.topic),
      );
    }
    const existing = specs.filter((spec) => present.has(spec.topic));
    const drift: TopicDrift[] = [];
    if (existing.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: existing.map((spec) => spec.topic) });
      const grow: { topic: string; count: number }[] = [];
      for (const spec of existing) {
        const partitions = metadata.topics.find((t) => t.name === spec.topic)?.partitions.length ?? 0;
        if (partitions < spec.partitions) {
          drift.push({ topic: spec.topic, setting: 'partitions', expected: String(spec.partitions), actual: String(partitions) });
          grow.push({ topic: spec.topic, count: spec.partitions });
        } else if (partitions > spec.partitions) {
          // Kafka cannot shrink a topic; report it and leave it.
          drift.push({ topic: spec.topic, setting: 'partitions', expected: String(spec.partitions), actual: String(partitions) });
        }
      }
      if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow });

      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: existing.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.topic })),
      });
      const alter: { topic: string; entries: Record<string, string> }[] = [];
      for (const spec of existing) {
        const actual = new Map(
          described.resources.find((r) => r.resourceName === spec.topic)?.configEntries.map((e) => [e.configName, e.configValue]) ?? [],
        );
        const expected = topicConfigEntries(spec);
        const wrong = Object.entries(expected).filter(([name, value]) => actual.get(name) !== value);
        for (const [name, value] of wrong)
          drift.push({ topic: spec.topic, setting: name, expected: value, actual: String(actual.get(name)) });
        if (wrong.length > 0) alter.push({ topic: spec.topic, entries: expected });
      }
      if (alter.length > 0) {
        await admin.alterConfigs({
          validateOnly: false,
          resources: alter.map(({ topic, entries }) => ({
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: Object.entries(entries).map(([name, value]) => ({ name, value })),
          })),
        });
      }
    }
    return { created: missing.map((s) => s.topic), existing: existing.map((s) => s.topic), drift };
  } finally {
    await admin.disconnect();
  }
}
