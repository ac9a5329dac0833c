import { type Admin, type Kafka } from 'kafkajs';

export interface FollowResult {
  records: number;
  seconds: number;
  perSecond: number;
  /** The measured span: epoch ms and committed records at its first and last observed movement. */
  span: { fromAt: number; fromRecords: number; toAt: number; toRecords: number };
}

/**
 * Measures a consumer group's throughput from the broker's side: polls its committed offsets
 * until they reach `expect` records past where they started, and times the span between the first
 * and the last movement (so start-up and idle tails do not count).
 */
export async function followGroup(
  kafka: Kafka,
  groupId: string,
  topic: string,
  expect: number,
  timeoutMs = 600_000,
): Promise<FollowResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = () => committedRecords(admin, groupId, topic);
    const started = Date.now();
    let first: { at: number; value: number } | undefined;
    let last = { at: Date.now(), value: 0 };
    for (;;) {
      const value = await committed();
      const at = Date.now();
      if (value > 0 && !first) first = { at, value };
      if (value !== last.value) last = { at, value };
      if (value >= expect) break;
      if (at - started > timeoutMs) throw new Error(`${groupId} on ${topic}: ${value}/${expect} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Rate between the first and the last observed movement: what was committed before the first
    // observation is not counted, so start-up time neither inflates nor deflates the figure.
    const from = first ?? { at: started, value: 0 };
    const seconds = Math.max(0.001, (last.at - from.at) / 1000);
    return {
      records: last.value,
      seconds,
      perSecond: (last.value - from.value) / seconds,
      span: { fromAt: from.at, fromRecords: from.value, toAt: last.at, toRecords: last.value },
    };
  } finally {
    await admin.disconnect();
  }
}

/** Records a group has committed on a topic: its committed offsets summed (none yet counts 0). */
export async function committedRecords(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** A topic's end: its partitions' high watermarks summed. */
export async function endOffset(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

/** Records currently in a topic (sum of end offsets minus start offsets). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
