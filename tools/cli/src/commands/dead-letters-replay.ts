import { type KeyVaultEnv, loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { DEAD_LETTER_REASONS, type DeadLetterReason, type DeadLetterV1, PERSON_ID, Topic, validatePayload } from '@wt/contracts';
import { ContactSealer } from '@wt/identity';
import { createKafka, DeadLetterSealer, expiredDeadLetterKeyOwners } from '@wt/kafka';
import { keyVaultOf, migrateVault, vaultDataSource } from '@wt/vault';
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
  /** Dead letters whose key is gone (the person was erased, or the day's dead-letter key expired): unreadable, as meant. */
  erased: number;
  /**
   * Dead letters without their original: cut (`payloadTruncated`, an oversized record), withheld
   * (written by a service without the key vault; the original is on its origin topic while retained),
   * or unreadable.
   */
  unavailable: number;
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
 * The record to publish again: the original bytes and headers (opened from `sealedPayload`, or an
 * older letter's clear ones). The original key is not kept in a dead letter (it may have been a
 * phone number): internal payloads are keyed by their personId again, public inputs get no key
 * (the platform never reads their key).
 */
export function replayMessage(original: { value: Buffer; headers: Record<string, string> }, deadLetterOffset: string): Message {
  const { value } = original;
  let key: string | null = null;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as { personId?: unknown };
    if (typeof parsed.personId === 'string' && PERSON_ID.test(parsed.personId)) key = parsed.personId;
  } catch {
    // Malformed JSON goes back as it was; the consumer will refuse it again with the reason.
  }
  const headers: IHeaders = {};
  for (const [name, headerValue] of Object.entries(original.headers)) if (!DROPPED_HEADERS.has(name)) headers[name] = headerValue;
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

/**
 * Replays the matching dead letters to where they came from. Sealed originals are opened with
 * `sealer` (the key vault; fresh keys, never a cache): a letter whose key is gone is counted as
 * `erased` and never replayed, a cut or withheld one as `unavailable`.
 */
export async function replayDeadLetters(brokers: string[], options: ReplayOptions, sealer?: DeadLetterSealer): Promise<ReplaySummary> {
  const kafka = createKafka({ brokers, clientId: 'wt-cli' });
  const summary: ReplaySummary = { scanned: 0, matched: 0, replayed: 0, skipped: 0, erased: 0, unavailable: 0, byTarget: {}, byReason: {} };
  const wanted: { letter: DeadLetterV1; offset: string; target: string }[] = [];
  summary.scanned = await readDeadLetters(kafka, (letter, offset) => {
    if (!matches(letter, options)) return;
    summary.matched += 1;
    const target = replayTarget(letter);
    if (!target) summary.skipped += 1;
    else if (letter.payloadTruncated) summary.unavailable += 1;
    else wanted.push({ letter, offset, target });
  });
  const outgoing = new Map<string, Message[]>();
  for (const { letter, offset, target } of wanted) {
    if (letter.sealedPayload && !sealer) throw new Error('sealed dead letters: set VAULT_DATABASE_URL and VAULT_KEK to open them');
    const original = sealer
      ? await sealer.openLetter(letter, { fresh: true })
      : letter.payloadBase64 !== ''
        ? { ok: true as const, value: Buffer.from(letter.payloadBase64, 'base64'), headers: letter.headers }
        : { ok: false as const, reason: 'withheld' as const };
    if (!original.ok) {
      if (original.reason === 'erased') summary.erased += 1;
      else summary.unavailable += 1;
      continue;
    }
    outgoing.set(target, [...(outgoing.get(target) ?? []), replayMessage(original, offset)]);
    summary.byTarget[target] = (summary.byTarget[target] ?? 0) + 1;
    summary.byReason[letter.reason] = (summary.byReason[letter.reason] ?? 0) + 1;
  }
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

/** The key vault's variables (VAULT_DATABASE_URL, VAULT_KEK, VAULT_KEK_PREVIOUS, CONTACT_KEY). */
class DeadLetterVaultConfig extends withKeyVault(ServiceEnv) {}

/** Runs `work` with the key vault of the environment (its schema migrated), then closes it. */
async function withVault<T>(work: (sealer: DeadLetterSealer, destroy: (owners: string[]) => Promise<number>) => Promise<T>): Promise<T> {
  const config: KeyVaultEnv = loadConfig(DeadLetterVaultConfig);
  const dataSource = vaultDataSource(config, 'cli');
  await dataSource.initialize();
  try {
    await migrateVault(dataSource);
    const vault = keyVaultOf(dataSource, config);
    const sealer = new DeadLetterSealer(new ContactSealer(vault, { legacyKey: config.CONTACT_KEY, cacheTtlMs: 0 }));
    return await work(sealer, (owners) => vault.destroy(owners));
  } finally {
    await dataSource.destroy();
  }
}

/**
 * `wt dead-letters replay [--reason r[,r]] [--since ISO|6h] [--origin topic|http] [--service name] [--dry-run]`
 * (env: the key vault's variables, to open sealed originals).
 */
export async function deadLettersReplayCommand(brokers: string[], args: string[]): Promise<number> {
  const options = parseReplayArgs(args);
  const summary = await withVault((sealer) => replayDeadLetters(brokers, options, sealer));
  // Counts only: a dead letter's payload may hold a phone number and is never printed.
  console.log(
    `dead letters: ${summary.scanned} scanned, ${summary.matched} matched, ${options.dryRun ? `${summary.matched - summary.skipped - summary.erased - summary.unavailable} would be replayed` : `${summary.replayed} replayed`}, ${summary.skipped} without a known origin, ${summary.erased} erased, ${summary.unavailable} without their original`,
  );
  for (const [target, n] of Object.entries(summary.byTarget)) console.log(`  -> ${target}: ${n}`);
  for (const [reason, n] of Object.entries(summary.byReason)) console.log(`  reason ${reason}: ${n}`);
  return 0;
}

/**
 * `wt dead-letters shred-keys`: destroys the dead-letter keys older than DEAD_LETTER_KEY_DAYS (31)
 * days, making the dead letters they sealed unreadable wherever copies went. Safe to run daily
 * (a CronJob) and to rerun.
 */
export async function deadLettersShredKeysCommand(): Promise<number> {
  const destroyed = await withVault((_sealer, destroy) => destroy(expiredDeadLetterKeyOwners(new Date())));
  console.log(JSON.stringify({ deadLetterKeysDestroyed: destroyed }));
  return 0;
}
