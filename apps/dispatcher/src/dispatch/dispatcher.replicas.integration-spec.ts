import { type TargetingDecisionV1, Topic } from '@wt/contracts';
import { PlatformKeySealer, Pseudonymizer } from '@wt/identity';
import { SimulatedPopulation } from '@wt/simulation';
import { eventually, testBrokers } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { dispatcherStack, type DispatcherStack, freePort, freshDatabase, ServiceChild } from '../testing/dispatcher-children';

const RATE = 40;

/**
 * Meta's throughput per business number holds across replicas (issue 5, point 2): two dispatcher
 * processes share one ledger and one consumer group, and both send for the same number. The
 * sandbox answers 130429 past RATE messages in any sliding second. The shared schedule keeps the
 * replicas' sum within the rate, but a stall that bunches several replicas' on-time requests can
 * still exceed it (docs/operations.md, throughput): such a refusal must stay rare (at most 1 % of
 * the sends; none on most runs, one seen on a slow machine) and be sent again, once. Every decision
 * is sent exactly once, no accepted second holds more than RATE, and both replicas did send.
 */
describe('dispatcher: throughput per number across replicas', () => {
  const run = randomUUID().slice(0, 8);
  const phoneNumberId = `8${Date.now()}`.slice(0, 15);
  const phones = new SimulatedPopulation({ seed: run }).phoneNumbers(240, 'replicas');
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let stack: DispatcherStack;
  let second: ServiceChild;
  let producer: Producer;

  beforeAll(async () => {
    db = await freshDatabase(`wt_it_dispatch_replicas_${run}`);
    stack = await dispatcherStack(
      run,
      db.url,
      { WHATSAPP_MPS: String(RATE) },
      { SANDBOX_THROUGHPUT_MPS: String(RATE), SANDBOX_PAIR_INTERVAL_MS: '0' },
    );
    // The second replica: the same settings (same database, same consumer group), its own port.
    const env = (stack.dispatcher as unknown as { env: Record<string, string> }).env;
    second = new ServiceChild('dispatcher-2', 'dist/apps/dispatcher/src/main.js', await freePort(), { ...env }, run);
    await stack.sandbox.start();
    // One after the other: the first runs the migrations.
    await stack.dispatcher.start();
    await second.start();
    producer = new Kafka({ brokers: testBrokers(), clientId: 'dispatch-replicas-it', logLevel: logLevel.ERROR }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
    });
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await second?.kill('SIGTERM');
    await stack?.dispatcher.kill('SIGTERM');
    await stack?.sandbox.kill('SIGTERM');
    await db?.drop();
  });

  it('never exceeds the rate in any sliding second, sends each decision once, and both replicas send', async () => {
    const sealer = new PlatformKeySealer(stack.contactKey);
    const pseudonymizer = new Pseudonymizer(stack.pseudonymSecret);
    const decisions: TargetingDecisionV1[] = phones.map((phone, i) => ({
      decisionId: `replicas-${run}-${i}`,
      campaignId: `campaign-${run}`,
      businessId: 'acme',
      personId: pseudonymizer.personId(phone),
      outcome: 'send',
      reason: 'relevant',
      score: 0.9,
      modelVersion: 'test',
      explanation: { summary: 'test', factors: [] },
      decidedAt: new Date().toISOString(),
      send: { phoneNumberId, contact: sealer.seal(phone), templateName: 'spring_sale', language: 'en', bodyParameters: [] },
    }));
    // Keyed by person: the decisions spread over every partition, so both replicas consume some.
    await producer.send({
      topic: Topic.TargetingDecisionsV1,
      acks: -1,
      messages: decisions.map((d) => ({ key: d.personId, value: JSON.stringify(d), headers: { 'wt-schema': Topic.TargetingDecisionsV1 } })),
    });

    const ids = decisions.map((d) => d.decisionId);
    await eventually(
      'every decision to be accepted',
      async () => {
        const { rows } = await db.pg.query<{ n: string }>(
          `SELECT count(*) AS n FROM dispatch WHERE decision_id = ANY($1) AND state = 'accepted'`,
          [ids],
        );
        return Number(rows[0]?.n) === ids.length ? true : undefined;
      },
      60_000,
    );

    const messages = (await (await fetch(`${stack.sandbox.url}/sandbox/messages?phoneNumberId=${phoneNumberId}`)).json()) as {
      bizOpaqueCallbackData?: string;
      acceptedAt: string;
    }[];
    const perDecision = new Map<string, number>();
    for (const m of messages) perDecision.set(m.bizOpaqueCallbackData ?? '', (perDecision.get(m.bizOpaqueCallbackData ?? '') ?? 0) + 1);
    expect(ids.filter((id) => perDecision.get(id) !== 1)).toEqual([]);
    expect(messages).toHaveLength(ids.length);

    const stats = (await (await fetch(`${stack.sandbox.url}/sandbox/stats`)).json()) as { rejected: Record<string, number> };
    expect(stats.rejected['130429'] ?? 0).toBeLessThanOrEqual(Math.ceil(ids.length / 100));
    const times = messages.map((m) => Date.parse(m.acceptedAt)).sort((a, b) => a - b);
    let peak = 0;
    for (let from = 0, to = 0; to < times.length; to++) {
      while ((times[to] as number) - (times[from] as number) >= 1000) from++;
      peak = Math.max(peak, to - from + 1);
    }
    expect(peak).toBeLessThanOrEqual(RATE);

    // Both replicas called the API: the schedule in Postgres interleaved them.
    for (const replica of [stack.dispatcher, second]) {
      const metrics = await (await fetch(`${replica.url}/metrics`)).text();
      const accepted = Number(/^wt_dispatch_total\{[^}]*result="accepted"[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0);
      expect(accepted).toBeGreaterThan(0);
    }
  }, 120_000);
});
