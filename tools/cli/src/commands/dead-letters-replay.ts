import { DEAD_LETTER_REASONS, type DeadLetterReason, type DeadLetterV1, PERSON_ID, Topic, validatePayload } from '@wt/contracts';
import { createKafka } from '@wt/kafka';
import { randomUUID } from 'node:crypto';
import { type IHeaders, type Kafka, type Message, Partitioners } from 'kafkajs';

/** HTTP routes of the ingest service and the public topic each one stands for (see apps/ingest). */
const HTTP_ROUTE_TOPICS: Record<string, Topic> = {
  'POST /v1/engagement-events': Topic.SocialEngagementV1,
  'POST /v1/consents': Topic.ConsentV1,
};
const HTTP_ROUTE_HEADER = 'wt-http-route';
/** Written by the publisher; the replayed record gets it again from its new producer if needed. */
const DROPPED_HEADERS = new Set(['wt-schema', HTTP_ROUTE_HEADER]);
/** Marks a replayed record, for tracing (never read by the platform's logic). */
export const REPLAYED_FROM_HEADER = 'wt-replayed-from';

export interface ReplayOptions {
  reasons?: DeadLetterReason[];
  /** Only dead letters that failed at or after this time. */
  since?: Date;
  /** Only those from this origin topic (or `http`). */
  origin?: string;
  /** Only those refused by this service. */
  service?: string;
  dryRun?: boolean;
}

export interface ReplaySummary {
  scanned: number;
  matched: number;
  replayed: number;
  /** Dead letters that cannot go anywhere (unknown origin); left in place, counted here. */
  skipped: number;
  byTarget: Record<string, number>;
  byReason: Record<string, number>;
}

/** Where a dead letter goes back to: its origin topic, or the public topic of its HTTP route. */
export function replayTarget(letter: DeadLetterV1): string | undefined {
  if (letter.originTopic === 'http') return HTTP_ROUTE_TOPICS[letter.headers[HTTP_ROUTE_HEADER] ?? ''];
  return (Object.values(Topic) as string[]).includes(letter.originTopic) ? letter.originTopic : undefined;
}

export function matches(letter: DeadLetterV1, options: ReplayOptions): boolean {
  if (options.reasons && !options.reasons.includes(letter.reason)) return false;
  if (options.since && Date.parse(letter.failedAt) < options.since.getTime()) return false;
  if (options.origin && letter.originTopic !== options.origin) return false;
  if (options.service && letter.service !== options.service) return false;
  return true;
}

/**
 * The record to publish again: the original bytes and headers. The original key is not kept in a
 * dead letter (it may have been a phone number): internal payloads are keyed by their personId
 * again, public inputs get no key (the platform never reads their key).
 */
export function replayMessage(letter: DeadLetterV1, deadLetterOffset: string): Message {
  const value = Buffer.from(letter.payloadBase64, 'base64');
  let key: string | null = null;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as { personId?: unknown };
    if (typeof parsed.personId === 'string' && PERSON_ID.test(parsed.personId)) key = parsed.personId;
  } catch {
    // Malformed JSON goes back as it was; the consumer will refuse it again with the reason.
  }
  const headers: IHeaders = {};
  for (const [name, headerValue] of Object.entries(letter.headers)) if (!DROPPED_HEADERS.has(name)) headers[name] = headerValue;
  headers[REPLAYED_FROM_HEADER] = `${Topic.DeadLetterV1}@${deadLetterOffset}`;
  return { key, value, headers };
}

/** Reads the dead-letter topic from the beginning up to its current end, in a throwaway group. */
async function readDeadLetters(kafka: Kafka, visit: (letter: DeadLetterV1, offset: string) => void): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(Topic.DeadLetterV1);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  if (remaining.size === 0) return 0;
  const groupId = `wt-cli-dead-letters-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  let scanned = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: Topic.DeadLetterV1, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = remaining.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            scanned += 1;
            const parsed = message.value ? validatePayload(Topic.DeadLetterV1, parseJson(message.value.toString('utf8'))) : undefined;
            if (parsed?.ok) visit(parsed.value, `${partition}:${message.offset}`);
            if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    const admin2 = kafka.admin();
    await admin2.connect();
    await admin2.deleteGroups([groupId]).catch(() => undefined);
    await admin2.disconnect();
  }
  return scanned;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function replayDeadLetters(brokers: string[], options: ReplayOptions): Promise<ReplaySummary> {
  const kafka = createKafka({ brokers, clientId: 'wt-cli' });
  const summary: ReplaySummary = { scanned: 0, matched: 0, replayed: 0, skipped: 0, byTarget: {}, byReason: {} };
  const outgoing = new Map<string, Message[]>();
  summary.scanned = await readDeadLetters(kafka, (letter, offset) => {
    if (!matches(letter, options)) return;
    summary.matched += 1;
    const target = replayTarget(letter);
    if (!target) {
      summary.skipped += 1;
      return;
    }
    outgoing.set(target, [...(outgoing.get(target) ?? []), replayMessage(letter, offset)]);
    summary.byTarget[target] = (summary.byTarget[target] ?? 0) + 1;
    summary.byReason[letter.reason] = (summary.byReason[letter.reason] ?? 0) + 1;
  });
  if (options.dryRun || outgoing.size === 0) return summary;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (const [topic, messages] of outgoing) {
      for (let i = 0; i < messages.length; i += 500) {
        await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
        summary.replayed += Math.min(500, messages.length - i);
      }
    }
  } finally {
    await producer.disconnect();
  }
  return summary;
}

export function parseReplayArgs(args: string[]): ReplayOptions {
  const options: ReplayOptions = {};
  for (let i = 0; i < args.length; i += 1) {
    const [flag, inline] = args[i].split('=', 2);
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--reason': {
        const reasons = value().split(',');
        for (const reason of reasons) {
          if (!(DEAD_LETTER_REASONS as readonly string[]).includes(reason))
            throw new Error(`unknown reason "${reason}" (one of ${DEAD_LETTER_REASONS.join(', ')})`);
        }
        options.reasons = [...(options.reasons ?? []), ...(reasons as DeadLetterReason[])];
        break;
      }
      case '--since': {
        const raw = value();
        const relative = /^(\d+)([mhd])$/.exec(raw);
        const since = relative
          ? new Date(Date.now() - Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'])
          : new Date(raw);
        if (Number.isNaN(since.getTime())) throw new Error(`--since takes an ISO 8601 time or a duration like 30m, 6h, 2d; got "${raw}"`);
        options.since = since;
        break;
      }
      case '--origin':
        options.origin = value();
        break;
      case '--service':
        options.service = value();
        break;
      case '--dry-run':
        options.dryRun = true;
        break;
      default:
        throw new Error(`unknown option ${args[i]}`);
    }
  }
  return options;
}

/** `wt dead-letters replay [--reason r[,r]] [--since ISO|6h] [--origin topic|http] [--service name] [--dry-run]` */
export async function deadLettersReplayCommand(brokers: string[], args: string[]): Promise<number> {
  const options = parseReplayArgs(args);
  const summary = await replayDeadLetters(brokers, options);
  // Counts only: a dead letter's payload may hold a phone number and is never printed.
  console.log(
    `dead letters: ${summary.scanned} scanned, ${summary.matched} matched, ${options.dryRun ? `${summary.matched - summary.skipped} would be replayed` : `${summary.replayed} replayed`}, ${summary.skipped} without a known origin`,
  );
  for (const [target, n] of Object.entries(summary.byTarget)) console.log(`  -> ${target}: ${n}`);
  for (const [reason, n] of Object.entries(summary.byReason)) console.log(`  reason ${reason}: ${n}`);
  return 0;
}
