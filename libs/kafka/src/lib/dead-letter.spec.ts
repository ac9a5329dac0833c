import { MAX_RECORD_BYTES, Topic } from '@wt/contracts';
import { ContactSealer, InMemoryPersonKeyStore, Pseudonymizer } from '@wt/identity';
import { createHash } from 'node:crypto';
import { type KafkaMessage } from 'kafkajs';
import { deadLetterFor, deadLettersFor, headersToStrings } from './dead-letter';
import { DeadLetterSealer, deadLetterKeyOwner, expiredDeadLetterKeyOwners, phoneOwner } from './dead-letter-sealing';
import { encode } from './kafka-publisher';
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
  it('keeps the origin, size and SHA-256, never the original key, and without a sealer withholds the payload', () => {
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
      payloadBase64: '',
      payloadBytes: 7,
      payloadSha256: createHash('sha256').update('{"a":1}').digest('hex'),
      // Only headers that carry no data stay in clear.
      headers: { traceparent: '00-abc-def-01' },
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

  it('keeps a dead letter of a record of any size far below max.message.bytes, with its size and SHA-256', async () => {
    const huge = Buffer.alloc(900 * 1024, 'x');
    const message: KafkaMessage = Object.assign(raw(null), { value: huge, headers: { big: Buffer.alloc(200 * 1024, 'h') } });
    const sealer = new DeadLetterSealer(new ContactSealer(new InMemoryPersonKeyStore()));
    const [letter] = await deadLettersFor(
      'ingest',
      Topic.ConsentV1,
      [{ partition: 0, raw: message, reason: 'oversized', detail: 'big' }],
      sealer,
    );
    const bytes = Buffer.byteLength(encode(Topic.DeadLetterV1, letter!).value as string);
    expect(bytes).toBeLessThan(1_000_000);
    expect(letter!.value).toMatchObject({
      payloadBytes: huge.length,
      payloadSha256: createHash('sha256').update(huge).digest('hex'),
      payloadTruncated: true,
    });
    const opened = await sealer.openLetter(letter!.value);
    // Compared with Buffer.equals: jest's deep equality walks 256 KiB byte by byte.
    expect(opened.ok && opened.value.equals(huge.subarray(0, MAX_RECORD_BYTES))).toBe(true);
  });

  it("seals the original under the number's owner: never in clear, unreadable once their keys are destroyed", async () => {
    const keys = new InMemoryPersonKeyStore();
    const pseudonymizer = new Pseudonymizer('s'.repeat(32));
    const sealer = new DeadLetterSealer(new ContactSealer(keys, { cacheTtlMs: 0 }), phoneOwner(pseudonymizer));
    const original = JSON.stringify({ phone: '06 12 34 56 78', country: 'FR', purpose: 'nonsense' });
    const [letter] = await deadLettersFor(
      'ingest',
      Topic.ConsentV1,
      [{ partition: 1, raw: raw(original), reason: 'schema_violation', detail: 'purpose: bad' }],
      sealer,
    );
    const text = JSON.stringify(letter);
    for (const clear of ['+33612345678', '0612345678', '612345678', '12 34 56 78']) expect(text).not.toContain(clear);
    const personId = pseudonymizer.personId('+33612345678');
    expect(letter!.value.sealedPayload).toMatch(new RegExp(`^v2\\.${personId}\\.`));

    const opened = await sealer.openLetter(letter!.value);
    expect(opened.ok && opened.value.toString()).toBe(original);
    expect(opened.ok && opened.headers).toEqual({ traceparent: '00-abc-def-01', multi: 'a,b' });

    await keys.destroy([personId]);
    expect(await sealer.openLetter(letter!.value)).toEqual({ ok: false, reason: 'erased' });
  });

  it("seals what names no person under the day's dead-letter key, which expires", async () => {
    const keys = new InMemoryPersonKeyStore();
    const sealer = new DeadLetterSealer(new ContactSealer(keys, { cacheTtlMs: 0 }));
    const now = new Date('2026-12-07T10:00:00Z');
    const [letter] = await deadLettersFor(
      'ingest',
      Topic.ConsentV1,
      [{ partition: 1, raw: raw('{not json +33612345678'), reason: 'malformed_json', detail: 'x' }],
      sealer,
      now,
    );
    expect(letter!.value.sealedPayload).toMatch(new RegExp(`^v2\\.${deadLetterKeyOwner(now)}\\.`));
    expect((await sealer.openLetter(letter!.value)).ok).toBe(true);
    // 31 days on, the day's key is among those to destroy; a day later than that it is not yet.
    expect(expiredDeadLetterKeyOwners(new Date('2027-01-08T10:00:00Z'))).toContain(deadLetterKeyOwner(now));
    expect(expiredDeadLetterKeyOwners(new Date('2027-01-07T10:00:00Z'))).not.toContain(deadLetterKeyOwner(now));
    await keys.destroy(expiredDeadLetterKeyOwners(new Date('2027-01-08T10:00:00Z')));
    expect(await sealer.openLetter(letter!.value)).toEqual({ ok: false, reason: 'erased' });
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
