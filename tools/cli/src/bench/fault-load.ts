import { Topic } from '@wt/contracts';
import { chunkBySize } from '@wt/kafka';
import { type Kafka, Partitioners } from 'kafkajs';
import { existsSync, writeFileSync } from 'node:fs';
import { generatePopulation } from '../demo/population';

/**
 * Steady load for the fault tests: engagement at `rate` events per second for `seconds`, with a
 * poison message (malformed JSON or a bad phone) every `poisonEvery` events, after the
 * population's consents and campaigns. Writes every acknowledged event's dedupe key to `out`, so
 * the verification can tell whether an acknowledged event was lost. Stops early when `stopFile` exists.
 */
export async function faultLoad(
  kafka: Kafka,
  opts: { rate: number; seconds: number; poisonEvery: number; out: string; run: string; stopFile?: string },
): Promise<{ produced: number; poison: number }> {
  const total = Math.ceil(opts.rate * opts.seconds);
  const population = generatePopulation({ people: Math.ceil(total / 6), seed: 11, runId: opts.run, now: new Date() });
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const send = async (topic: string, values: unknown[]) => {
    for (const messages of chunkBySize(values.map((v) => ({ value: typeof v === 'string' ? v : JSON.stringify(v) })))) {
      await producer.send({ topic, acks: -1, messages });
    }
  };
  // campaigns.v1 is compacted: every record needs its key.
  await producer.send({
    topic: Topic.CampaignsV1,
    acks: -1,
    messages: population.campaigns.map((c) => ({ key: c.campaignId, value: JSON.stringify({ ...c, budgetMessages: 1_000_000 }) })),
  });
  await send(Topic.ConsentV1, population.consents);

  // Unique events only: the duplicates the generator adds are a different test.
  const seen = new Set<string>();
  const events = population.events
    .filter((e) => !seen.has(`${e.source}:${e.eventId}`) && seen.add(`${e.source}:${e.eventId}`))
    .slice(0, total);
  const acknowledged: string[] = [];
  let poison = 0;
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((opts.rate * tickMs) / 1000));
  const started = Date.now();
  for (let i = 0; i < events.length; i += perTick) {
    if (opts.stopFile && existsSync(opts.stopFile)) break;
    const chunk = events.slice(i, i + perTick);
    const values: unknown[] = [...chunk];
    if (Math.floor((i + perTick) / opts.poisonEvery) > Math.floor(i / opts.poisonEvery)) {
      values.push(poison % 2 === 0 ? `{"poison": ${i}` : { ...chunk[0], eventId: `poison-${opts.run}-${i}`, phone: '+33 1' });
      poison += 1;
    }
    try {
      await send(Topic.SocialEngagementV1, values);
      for (const e of chunk) acknowledged.push(`${e.source}:${e.eventId}`);
    } catch {
      // Not acknowledged (the broker was down): not counted as produced; the producer retries next tick.
    }
    const due = started + ((i + perTick) / opts.rate) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  }
  await producer.disconnect();
  writeFileSync(opts.out, JSON.stringify(acknowledged));
  return { produced: acknowledged.length, poison };
}
