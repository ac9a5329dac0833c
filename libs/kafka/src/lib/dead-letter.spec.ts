import { Topic } from '@wt/contracts';
import { type KafkaMessage } from 'kafkajs';
import { deadLetterFor, headersToStrings } from './dead-letter';
import { chunkBySize } from './kafka-publisher';
import { RecordBatch } from './record-batch';

const raw = (value: string | null, key = '+33612345678'): KafkaMessage => ({
  key: Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  offset: '41',
  timestamp: '1764374400000',
  attributes: 0,
  headers: { traceparent: Buffer.from('00-abc-def-01'), multi: [Buffer.from('a'), Buffer.from('b')] },
});

describe('deadLetterFor', () => {
  it('keeps the payload byte for byte and the origin, and never the original key', () => {
    const letter = deadLetterFor(
      'ingest',
      Topic.SocialEngagementV1,
      { partition: 3, raw: raw('{"a":1}'), reason: 'invalid_phone', detail: 'phone: not a valid number' },
      new Date('2026-11-28T00:00:00Z'),
    );
    expect(letter.key).toBe('social.engagement.v1:3');
    expect(letter.value).toEqual({
      reason: 'invalid_phone',
      detail: 'phone: not a valid number',
      originTopic: 'social.engagement.v1',
      originPartition: 3,
      originOffset: '41',
      service: 'ingest',
      payloadBase64: Buffer.from('{"a":1}').toString('base64'),
      headers: { traceparent: '00-abc-def-01', multi: 'a,b' },
      failedAt: '2026-11-28T00:00:00.000Z',
    });
    expect(JSON.stringify(letter)).not.toContain('612345678');
  });

  it('bounds the detail so one bad record cannot make an oversized dead letter', () => {
    const letter = deadLetterFor('ingest', Topic.SocialEngagementV1, {
      partition: 0,
      raw: raw('x'),
      reason: 'schema_violation',
      detail: 'x'.repeat(10_000),
    });
    expect(letter.value.detail).toHaveLength(2000);
  });

  it('flattens headers to strings', () => {
    expect(headersToStrings(undefined)).toEqual({});
  });
});

describe('RecordBatch', () => {
  it('collects the records a handler rejects', () => {
    const message = raw('{}');
    const batch = new RecordBatch(Topic.ConsentV1, [2], [], [], async () => undefined);
    batch.reject(
      { topic: Topic.ConsentV1, partition: 2, offset: '41', key: null, value: {} as never, headers: {}, timestamp: 0, raw: message },
      'invalid_phone',
      'phone: bad',
    );
    expect(batch.rejections).toEqual([{ partition: 2, raw: message, reason: 'invalid_phone', detail: 'phone: bad' }]);
  });
});

describe('chunkBySize', () => {
  it('keeps order and bounds each request, a huge message going alone', () => {
    const messages = [300, 300, 300, 2000, 10].map((n, i) => ({ key: `k${i}`, value: 'x'.repeat(n) }));
    const chunks = chunkBySize(messages, 1000);
    expect(chunks.map((c) => c.map((m) => m.key))).toEqual([['k0', 'k1'], ['k2'], ['k3'], ['k4']]);
    expect(chunks.flat()).toEqual(messages);
  });
});
