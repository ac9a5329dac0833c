import { Topic } from '@wt/contracts';
import { kafkaMetrics, KafkaPublisher } from '@wt/kafka';
import { type Kafka } from 'kafkajs';
import { existsSync, writeFileSync } from 'node:fs';
import { generatePopulation } from '../demo/population';

/**
 * Steady load for the fault tests: engagement at `rate` events per second for `seconds`, with a
 * poison message (malformed JSON or a bad phone) every `poisonEvery` events, after the
 * population's consents and campaigns. Writes every acknowledged event's dedupe key to `out`, so
 * the verification can tell whether an acknowledged event was lost. Stops early when `stopFile` exists.
 *
 * It produces through KafkaPublisher, as the services do: kafkajs's own producer can resolve a send
 * while it left out the partitions of a broker that died (kafkajs #1303), and it then counted as
 * acknowledged events that were never written (seen: 18-24 "lost" per broker-round run, never in
 * the topic), and after a failover its sequence numbers could stay broken (out of order) for good.
 */
export async function faultLoad(
  kafka: Kafka,
  opts: { rate: number; seconds: number; poisonEvery: number; out: string; run: string; stopFile?: string },
): Promise<{ produced: number; poison: number; partitionsResent: number; producerResets: number }> {
  const total = Math.ceil(opts.rate * opts.seconds);
  const population = generatePopulation({ people: Math.ceil(total / 6), seed: 11, runId: opts.run, now: new Date() });
  const publisher = new KafkaPublisher(kafka);
  await publisher.connect();
  const send = (topic: string, values: unknown[]) =>
    publisher.publishRaw(
      topic,
      values.map((v) => ({ value: typeof v === 'string' ? v : JSON.stringify(v) })),
    );
  // campaigns.v1 is compacted: every record needs its key.
  await publisher.publishRaw(
    Topic.CampaignsV1,
    population.campaigns.map((c) => ({ key: c.campaignId, value: JSON.stringify({ ...c, budgetMessages: 1_000_000 }) })),
  );
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
  await publisher.disconnect();
  writeFileSync(opts.out, JSON.stringify(acknowledged));
  // What the publisher did that kafkajs's producer alone would not have: the sends #1303 left
  // partly unwritten, and the producers replaced after their sequence numbers broke.
  const sumOf = async (counter: { get(): Promise<{ values: { value: number }[] }> }) =>
    (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
  return {
    produced: acknowledged.length,
    poison,
    partitionsResent: await sumOf(kafkaMetrics.producerPartitionsResent),
    producerResets: await sumOf(kafkaMetrics.producerResets),
  };
}
