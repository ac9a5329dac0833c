import { ALL_TOPIC_SPECS, Topic, TOPIC_SPECS } from '@wt/contracts';
import { testBrokers } from '@wt/testing';
import { spawnSync } from 'node:child_process';
import { ConfigResourceTypes } from 'kafkajs';
import { createKafka } from './kafka-connection';
import { ensureTopics } from './topic-admin';

describe('topics on the real broker', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'topics-it' });

  it('match the contracts catalogue: partitions, cleanup policy, retention', async () => {
    await ensureTopics(kafka);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: ALL_TOPIC_SPECS.map((s) => s.topic) });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: ALL_TOPIC_SPECS.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic })),
      });
      for (const spec of ALL_TOPIC_SPECS) {
        expect(metadata.topics.find((t) => t.name === spec.topic)?.partitions.length).toBeGreaterThanOrEqual(spec.partitions);
        const entries = configs.resources.find((r) => r.resourceName === spec.topic)!.configEntries;
        expect(entries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe(spec.cleanupPolicy);
        expect(entries.find((e) => e.configName === 'retention.ms')?.configValue).toBe(String(spec.retentionMs));
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('reports and repairs drift made by hand on the cluster', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: Topic.CampaignsV1, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] },
        ],
      });
      const result = await ensureTopics(kafka);
      expect(result.drift).toContainEqual({ topic: Topic.CampaignsV1, setting: 'cleanup.policy', expected: 'compact', actual: 'delete' });
      const again = await ensureTopics(kafka);
      expect(again.drift.filter((d) => d.topic === Topic.CampaignsV1)).toEqual([]);
      expect(TOPIC_SPECS[Topic.CampaignsV1].cleanupPolicy).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  });

  it('kafkajs passes every compatibility check against the pinned broker', () => {
    const result = spawnSync(process.execPath, ['tools/stack/kafka-compat-check.mjs', '--brokers', brokers.join(','), '--json'], {
      encoding: 'utf8',
      timeout: 90_000,
    });
    const { results: checks } = JSON.parse(result.stdout) as { results: { check: string; ok: boolean; detail: string }[] };
    expect(checks.length).toBeGreaterThanOrEqual(10);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    const names = checks.map((c) => c.check).join(' ');
    for (const area of ['compaction', 'idempotent producer', 'rebalance', 'createTopics']) expect(names).toContain(area);
  });
});
