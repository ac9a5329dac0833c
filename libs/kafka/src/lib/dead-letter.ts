import { type DeadLetterV1, MAX_RECORD_BYTES, Topic } from '@wt/contracts';
import { createHash } from 'node:crypto';
import { type KafkaMessage } from 'kafkajs';
import { type DeadLetterSealer } from './dead-letter-sealing';
import { type OutgoingRecord } from './kafka-publisher';
import { type Rejection } from './record-batch';

export function headersToStrings(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  // Every consumed record comes through here: a plain loop, not Object.entries' arrays (≈ 0.4 µs a record).
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}

/** Headers a dead letter keeps in clear: they carry no data (trace context, schema tag, the HTTP route, a webhook's event kind). */
const CLEAR_HEADERS = new Set([
  'traceparent',
  'tracestate',
  'wt-schema',
  'content-type',
  'wt-http-route',
  'wt-replayed-from',
  'wt-webhook-event',
]);

/** Most bytes of headers kept (sealed) in a dead letter: a header value over 1 KiB is cut, past 16 KiB the rest dropped. */
const MAX_HEADER_VALUE = 1024;
const MAX_HEADERS_BYTES = 16 * 1024;

/** The headers a dead letter keeps (sealed), bounded whatever the original carried. */
export function boundedHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let total = 0;
  for (const name of Object.keys(headers)) {
    const value = (headers[name] as string).slice(0, MAX_HEADER_VALUE);
    total += name.length + value.length;
    if (total > MAX_HEADERS_BYTES) break;
    out[name.slice(0, 256)] = value;
  }
  return out;
}

/** What a dead letter says of the original value whatever its size: bytes, SHA-256, and the part kept. */
export function keptPayload(value: Buffer | null): { kept: Buffer; bytes: number; sha256: string; truncated: boolean } {
  const whole = value ?? Buffer.alloc(0);
  const truncated = whole.length > MAX_RECORD_BYTES;
  return {
    kept: truncated ? whole.subarray(0, MAX_RECORD_BYTES) : whole,
    bytes: whole.length,
    sha256: createHash('sha256').update(whole).digest('hex'),
    truncated,
  };
}

/**
 * The dead letter of a refused record. Its key is the origin (topic and partition), never the
 * original key: producers may have keyed the record by a phone number. The original value and
 * headers are in `sealedPayload` when given (see DeadLetterSealer), else withheld: never in clear.
 * Whatever the original's size, the dead letter stays far below the dead-letter topic's
 * max.message.bytes (the value is cut at MAX_RECORD_BYTES, headers at 16 KiB, the detail at 2,000).
 */
export function deadLetterFor(
  service: string,
  originTopic: string,
  rejection: Rejection,
  now = new Date(),
  sealedPayload?: string,
): OutgoingRecord<DeadLetterV1> {
  const originPartition = rejection.partition;
  const payload = keptPayload(rejection.raw.value);
  const headers = headersToStrings(rejection.raw.headers);
  const clear: Record<string, string> = {};
  for (const name of Object.keys(headers)) if (CLEAR_HEADERS.has(name)) clear[name] = (headers[name] as string).slice(0, MAX_HEADER_VALUE);
  return {
    key: `${originTopic}:${originPartition}`,
    value: {
      reason: rejection.reason,
      detail: rejection.detail.slice(0, 2000),
      originTopic,
      originPartition,
      originOffset: rejection.raw.offset,
      service,
      payloadBase64: '',
      ...(sealedPayload !== undefined ? { sealedPayload } : {}),
      payloadBytes: payload.bytes,
      payloadSha256: payload.sha256,
      ...(payload.truncated ? { payloadTruncated: true } : {}),
      headers: clear,
      failedAt: now.toISOString(),
    },
  };
}

/** The dead letters of refused records, their originals sealed in one vault round trip (withheld without a sealer). */
export async function deadLettersFor(
  service: string,
  originTopic: string,
  rejections: readonly Rejection[],
  sealer: DeadLetterSealer | undefined,
  now = new Date(),
): Promise<OutgoingRecord<DeadLetterV1>[]> {
  const sealed = sealer
    ? await sealer.sealAll(
        rejections.map((rejection) => ({
          originTopic,
          value: keptPayload(rejection.raw.value).kept,
          headers: boundedHeaders(headersToStrings(rejection.raw.headers)),
        })),
        now,
      )
    : undefined;
  return rejections.map((rejection, i) => deadLetterFor(service, originTopic, rejection, now, sealed?.[i]));
}

export const DEAD_LETTER_TOPIC = Topic.DeadLetterV1;

/** Something refused at an HTTP door (not a Kafka record): what it was, and why. */
export interface HttpRefusal {
  reason: DeadLetterV1['reason'];
  detail: string;
  /** The refused item as received. */
  value: Buffer;
  /** Headers of the dead letter (e.g. the route); they are sealed with the value, never in clear. */
  headers: Record<string, string>;
}

/**
 * Dead letters of items refused at an HTTP door, keyed `http` (no partition or offset of origin),
 * their originals sealed in one vault round trip exactly as a consumer's are: under the person's
 * key where the item names one (so erasure reaches them), else under the day's dead-letter key.
 */
export async function httpDeadLettersFor(
  service: string,
  refusals: readonly HttpRefusal[],
  sealer: DeadLetterSealer,
  now = new Date(),
): Promise<OutgoingRecord<DeadLetterV1>[]> {
  if (refusals.length === 0) return [];
  const kept = refusals.map((r) => keptPayload(r.value));
  const sealed = await sealer.sealAll(
    refusals.map((r, i) => ({
      originTopic: 'http',
      value: (kept[i] as ReturnType<typeof keptPayload>).kept,
      headers: boundedHeaders(r.headers),
    })),
    now,
  );
  return refusals.map((r, i) => {
    const payload = kept[i] as ReturnType<typeof keptPayload>;
    return {
      key: 'http',
      value: {
        reason: r.reason,
        detail: r.detail.slice(0, 2000),
        originTopic: 'http',
        service,
        payloadBase64: '',
        sealedPayload: sealed[i],
        payloadBytes: payload.bytes,
        payloadSha256: payload.sha256,
        ...(payload.truncated ? { payloadTruncated: true } : {}),
        headers: Object.fromEntries(
          Object.entries(r.headers)
            .filter(([name]) => CLEAR_HEADERS.has(name))
            .map(([name, value]) => [name, value.slice(0, MAX_HEADER_VALUE)]),
        ),
        failedAt: now.toISOString(),
      },
    };
  });
}
