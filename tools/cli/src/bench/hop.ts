import { type Kafka, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { followGroup, type FollowResult } from './follow-group';

/**
 * The most any stage of ours can do: consume a batch, produce it again (eachBatch + sendBatch,
 * acks from all replicas, idempotent producer), commit. No parsing, no validation, no database.
 */
export async function kafkajsHop(kafka: Kafka, from: string, to: string, expect: number): Promise<FollowResult & { cpuSeconds: number }> {
  // CPU of this process while the hop runs (the hop, plus the small cost of following its group).
  const cpuBefore = process.cpuUsage();
  const groupId = `bench-hop-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 1_048_576 });
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: from, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 2,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [{ topic: to, messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) }],
      });
      const last = batch.lastOffset();
      resolveOffset(last);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      await heartbeat();
    },
  });
  try {
    const result = await followGroup(kafka, groupId, from, expect);
    const cpu = process.cpuUsage(cpuBefore);
    return { ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}
