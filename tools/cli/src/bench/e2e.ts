import { type EngagementNormalizedV1, type ProfileSnapshotV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { chunkBySize } from '@wt/kafka';
import { type Admin, type Kafka, Partitioners, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { generatePopulation } from '../demo/population';
import { committedRecords, endOffset } from './follow-group';
import { type Buckets, bucketsBetween, countOf, parseBuckets, quantile } from './histogram';

const EVENT_AGE = 'wt_decision_event_age_seconds';

async function eventAges(scoringUrl: string): Promise<Buckets> {
  return parseBuckets(await (await fetch(`${scoringUrl}/metrics`)).text(), EVENT_AGE);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The offsets the waits below poll, over one admin connection for a whole run: a connection per
 * poll (several a second) would load the broker and the 2 cores whose pipeline is being measured.
 */
class Offsets {
  private constructor(private readonly admin: Admin) {}

  static async open(kafka: Kafka): Promise<Offsets> {
    const admin = kafka.admin();
    await admin.connect();
    return new Offsets(admin);
  }

  committed(groupId: string, topic: string): Promise<number> {
    return committedRecords(this.admin, groupId, topic);
  }

  end(topic: string): Promise<number> {
    return endOffset(this.admin, topic);
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}

/**
 * Waits until scoring has no launch ranking or deciding (its `wt_launches` gauge): a launch works
 * through its audience in the background, not through a consumer group's offsets.
 */
async function launchesDone(scoringUrl: string, limitMs: number): Promise<void> {
  const since = Date.now();
  for (;;) {
    const text = await (await fetch(`${scoringUrl}/metrics`)).text();
    const busy = [...text.matchAll(/^wt_launches\{[^}]*phase="(ranking|deciding)"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[2]), 0);
    if (busy === 0) return;
    if (Date.now() - since > limitMs) throw new Error(`campaign launches still running after ${limitMs / 1000} s`);
    await sleep(500);
  }
}

/**
 * Waits, at most `limitMs`, until the sends that earlier decisions queued are done: no new message
 * status for 3 s, and scoring has learned from every one. The dispatcher commits a decision once
 * its send is queued, so a caught-up pipeline may still be sending (and learning from) an earlier
 * run's backlog, which is no part of the steady state being measured. Paced sends (several
 * campaigns to one person) can trickle on for minutes: then it goes on, and says so.
 */
async function sendsSettled(offsets: Offsets, groupPrefix: string, limitMs: number): Promise<boolean> {
  const since = Date.now();
  let last = -1;
  let stillFor = 0;
  for (;;) {
    await sleep(500);
    const statuses = await offsets.end(Topic.WhatsappMessageStatusV1);
    stillFor = statuses === last ? stillFor + 500 : 0;
    last = statuses;
    if (stillFor >= 3000 && (await offsets.committed(`${groupPrefix}.scoring`, Topic.WhatsappMessageStatusV1)) >= statuses) return true;
    if (Date.now() - since > limitMs) {
      console.error(`sends still settling after ${limitMs / 1000} s: measuring with them going on`);
      return false;
    }
  }
}

/** Waits until every stage's group has committed everything its input holds, twice in a row. */
async function caughtUp(offsets: Offsets, groupPrefix: string, since: number, limitMs: number): Promise<void> {
  const stages: [string, string][] = [
    [`${groupPrefix}.ingest`, Topic.SocialEngagementV1],
    [`${groupPrefix}.profiles`, Topic.EngagementNormalizedV1],
    [`${groupPrefix}.scoring`, Topic.ProfileSnapshotsV1],
    [`${groupPrefix}.dispatcher`, Topic.TargetingDecisionsV1],
  ];
  let stable = 0;
  for (;;) {
    await sleep(200);
    let done = true;
    for (const [group, topic] of stages) if ((await offsets.committed(group, topic)) < (await offsets.end(topic))) done = false;
    stable = done ? stable + 1 : 0;
    if (stable >= 2) return;
    if (Date.now() - since > limitMs) throw new Error(`the pipeline did not catch up within ${limitMs / 1000} s`);
  }
}

/**
 * Consents and campaigns of a population, published before its events, so that the events below
 * lead to real decisions (an event of a person nobody may message costs scoring almost nothing).
 */
async function publishAudience(producer: Producer, population: ReturnType<typeof generatePopulation>): Promise<void> {
  for (const messages of chunkBySize(population.consents.map((c) => ({ value: JSON.stringify(c) })))) {
    await producer.send({ topic: Topic.ConsentV1, acks: -1, messages });
  }
  await producer.send({
    topic: Topic.CampaignsV1,
    acks: -1,
    messages: population.campaigns.map((c) => ({ key: c.campaignId, value: JSON.stringify({ ...c, budgetMessages: 1_000_000 }) })),
  });
}

/**
 * Sustained throughput through all services at once: the population's consents and campaigns
 * first, then `events` engagement events produced as fast as possible while every service runs;
 * the time until every stage (dispatcher included) has committed everything its input holds. The
 * same workload as the latency run below, so that half this rate is a load the pipeline sustains.
 */
export async function e2eThroughput(
  kafka: Kafka,
  groupPrefix: string,
  events: number,
  run: string,
): Promise<{ events: number; seconds: number; perSecond: number }> {
  const population = generatePopulation({ people: Math.ceil(events / 6.5), seed: 23, runId: run, now: new Date() });
  const list = population.events.slice(0, events);
  // From an idle pipeline: the dispatcher stage run queued its decisions' sends, which go out (and
  // come back as statuses scoring learns from) once the services run again, no part of this run.
  const offsets = await Offsets.open(kafka);
  try {
    await sendsSettled(offsets, groupPrefix, 60_000);
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await publishAudience(producer, population);
    await sleep(5000);
    const started = Date.now();
    for (let i = 0; i < list.length; i += 2000) {
      await producer.send({
        topic: Topic.SocialEngagementV1,
        acks: -1,
        messages: list.slice(i, i + 2000).map((e) => ({ value: JSON.stringify(e) })),
      });
    }
    await producer.disconnect();
    await caughtUp(offsets, groupPrefix, started, 600_000);
    const seconds = (Date.now() - started - 400) / 1000;
    return { events: list.length, seconds, perSecond: list.length / seconds };
  } finally {
    await offsets.close();
  }
}

/**
 * Latency from an event's time to its decision, at a steady `rate`: events are stamped with the
 * time they are produced. Two measures of the same interval:
 * - every decision the events lead to, published or not (scoring publishes a decision only when it
 *   changed, a small and biased sample): scoring's `wt_decision_event_age_seconds` histogram over
 *   the run, quantiles interpolated inside its 25 ms buckets;
 * - the published decisions, each naming the event time that triggered it, read from the topic,
 *   with the Kafka timestamps of each hop's records (where the time goes).
 */
export async function e2eLatency(
  kafka: Kafka,
  groupPrefix: string,
  scoringUrl: string | undefined,
  rate: number,
  seconds: number,
  run: string,
): Promise<{
  /** Every decision made, from scoring's histogram (none without a scoring URL). */
  decisions: number;
  p50: number | null;
  p99: number | null;
  /** The published ones, from the topic. */
  published: { n: number; p50: number; p99: number; max: number };
  /** Whether earlier sends had settled when the run began (see sendsSettled). */
  settled: boolean;
  breakdown: Record<string, { n: number; p50: number; p99: number }>;
}> {
  const total = Math.ceil(rate * seconds);
  const population = generatePopulation({ people: Math.ceil(total / 2), seed: 29, runId: run, now: new Date() });
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await publishAudience(producer, population);
  // The campaigns' launch evaluates their whole audience, and the throughput run's decisions are
  // still being sent: measured from an idle pipeline, so the figure is the steady state's latency,
  // not a backlog's.
  await sleep(2000);
  const offsets = await Offsets.open(kafka);
  let settled: boolean;
  try {
    await caughtUp(offsets, groupPrefix, Date.now(), 300_000);
    if (scoringUrl) await launchesDone(scoringUrl, 300_000);
    settled = await sendsSettled(offsets, groupPrefix, 90_000);
  } finally {
    await offsets.close();
  }

  const latencies: number[] = [];
  // Where the time goes: when each hop's record was written (its Kafka timestamp), from the
  // event's time, for the normalized events, the snapshots and the decisions.
  const hops: Record<'normalized' | 'snapshot' | 'decision', number[]> = { normalized: [], snapshot: [], decision: [] };
  const consumer = kafka.consumer({ groupId: `bench-latency-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({
    topics: [Topic.TargetingDecisionsV1, Topic.EngagementNormalizedV1, Topic.ProfileSnapshotsV1],
    fromBeginning: false,
  });
  let joined!: () => void;
  const ready = new Promise<void>((r) => (joined = r));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  const startedAt = Date.now();
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (!message.value) return;
      const written = Number(message.timestamp);
      if (topic === Topic.EngagementNormalizedV1) {
        const at = Date.parse((JSON.parse(message.value.toString()) as EngagementNormalizedV1).occurredAt);
        if (at >= startedAt) hops.normalized.push(written - at);
        return;
      }
      if (topic === Topic.ProfileSnapshotsV1) {
        const lastSeen = (JSON.parse(message.value.toString()) as ProfileSnapshotV1).activity?.lastSeenAt;
        const at = lastSeen ? Date.parse(lastSeen) : NaN;
        if (at >= startedAt) hops.snapshot.push(written - at);
        return;
      }
      const decision = JSON.parse(message.value.toString()) as TargetingDecisionV1;
      if (!decision.triggeredByEventAt || !decision.campaignId.endsWith(run)) return;
      const at = Date.parse(decision.triggeredByEventAt);
      if (at >= startedAt) {
        latencies.push(Date.parse(decision.decidedAt) - at);
        hops.decision.push(written - at);
      }
    },
  });
  await ready;
  const agesBefore = scoringUrl ? await eventAges(scoringUrl) : undefined;
  const events = population.events.slice(0, total);
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const t0 = Date.now();
  for (let i = 0; i < events.length; i += perTick) {
    const now = new Date().toISOString();
    await producer.send({
      topic: Topic.SocialEngagementV1,
      acks: -1,
      messages: events.slice(i, i + perTick).map((e) => ({ value: JSON.stringify({ ...e, occurredAt: now }) })),
    });
    const due = t0 + ((i + perTick) / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  await sleep(5000);
  const ages = scoringUrl && agesBefore ? bucketsBetween(agesBefore, await eventAges(scoringUrl)) : new Map<number, number>();
  await consumer.disconnect();
  await producer.disconnect();
  const pct = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  };
  const breakdown = Object.fromEntries(
    Object.entries(hops).map(([hop, values]) => [hop, { n: values.length, p50: pct(values, 50), p99: pct(values, 99) }]),
  );
  const ms = (seconds: number | undefined) => (seconds === undefined ? null : Math.round(seconds * 1000));
  return {
    decisions: countOf(ages),
    p50: ms(quantile(ages, 0.5)),
    p99: ms(quantile(ages, 0.99)),
    published: { n: latencies.length, p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(...latencies) },
    settled,
    breakdown,
  };
}
