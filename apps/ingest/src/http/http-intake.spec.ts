import { type EngagementEventV1 } from '@wt/contracts';
import { ContactSealer, InMemoryPersonKeyStore, Pseudonymizer } from '@wt/identity';
import { EventNormalizer } from '../normalization/event-normalizer';
import { HTTP_ROUTE_HEADER, HttpIntake } from './http-intake';

const now = new Date('2026-11-28T12:00:00Z');

function newIntake(maxItemBytes = 4096) {
  const normalizer = new EventNormalizer(new Pseudonymizer('s'.repeat(32)), new ContactSealer(new InMemoryPersonKeyStore()), {
    maxAgeMs: 30 * 86_400_000,
    maxFutureSkewMs: 300_000,
  });
  return new HttpIntake(normalizer, { maxItemBytes });
}

const good: EngagementEventV1 = {
  eventId: 'e1',
  source: 'instagram',
  type: 'like',
  phone: '+33 6 12 34 56 78',
  occurredAt: '2026-11-28T11:00:00Z',
  categories: ['shoes'],
};

describe('HttpIntake.engagement', () => {
  it('answers per event: accepted ones normalized, rejected ones with field and reason', async () => {
    const outcome = await newIntake().engagement(
      [
        good,
        { ...good, eventId: 'e2', type: 'poke' },
        { ...good, eventId: 'e3', phone: '+33 1' },
        { ...good, eventId: 'e4', occurredAt: '2026-12-30T00:00:00Z' },
        { ...good, eventId: 'e5', occurredAt: '2026-01-01T00:00:00Z' },
        'not an object',
      ],
      now,
    );
    expect(outcome.results.map((r) => (r.status === 'accepted' ? 'accepted' : r.reason))).toEqual([
      'accepted',
      'unknown_type',
      'invalid_phone',
      'timestamp_in_future',
      'timestamp_too_old',
      'schema_violation',
    ]);
    const rejected = outcome.results.filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => r.status === 'rejected' && r.errors[0].field)).toEqual([
      'type',
      'phone',
      'occurredAt',
      'occurredAt',
      '(root)',
    ]);
    expect(outcome.accepted).toHaveLength(1);
    expect(outcome.accepted[0].key).toBe(outcome.accepted[0].value.personId);
    expect(JSON.stringify(outcome.results)).not.toMatch(/612345678/);
  });

  it('tells an unknown type apart from a broken event: unknown_type only when the type is the sole problem', async () => {
    const outcome = await newIntake().engagement(
      [
        { ...good, eventId: 'u1', type: 'poke' },
        { ...good, eventId: 'u2', type: 42 },
        { ...good, eventId: 'u3', type: undefined },
        { ...good, eventId: 'u4', type: 'poke', categories: ['Not A Slug'] },
      ],
      now,
    );
    expect(outcome.results.map((r) => r.status === 'rejected' && r.reason)).toEqual([
      'unknown_type',
      'schema_violation',
      'schema_violation',
      'schema_violation',
    ]);
    expect(outcome.results[0]).toMatchObject({
      errors: [{ field: 'type', problems: [expect.stringMatching(/one of the following values/)] }],
    });
    expect(outcome.refused.map((d) => d.reason)).toEqual(['unknown_type', 'schema_violation', 'schema_violation', 'schema_violation']);
    expect(outcome.refused[0]?.detail).toMatch(/^type: /);
  });

  it('refuses every rejected event with its reason, its route and the original payload (sealed by the controller)', async () => {
    const bad = { ...good, eventId: 'e9', phone: '+33 1' };
    const { refused } = await newIntake().engagement([good, bad], now);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ reason: 'invalid_phone', headers: { [HTTP_ROUTE_HEADER]: 'POST /v1/engagement-events' } });
    expect(JSON.parse((refused[0]?.value as Buffer).toString('utf8'))).toEqual(bad);
  });

  it('rejects an oversized event without parsing it further', async () => {
    const huge = { ...good, contentId: 'x'.repeat(120), categories: Array.from({ length: 30 }, (_, i) => `category-${i}`) };
    const outcome = await newIntake(512).engagement([huge], now);
    expect(outcome.results[0]).toMatchObject({ status: 'rejected', reason: 'oversized', errors: [{ field: '(root)' }] });
  });
});

describe('HttpIntake.consent', () => {
  it('requires a business for whatsapp_marketing and accepts a platform-wide cross_app_profiling', async () => {
    const base = { phone: '+33612345678', status: 'granted', occurredAt: '2026-11-28T11:00:00Z', source: 'web-form' };
    const outcome = await newIntake().consent(
      [
        { ...base, purpose: 'whatsapp_marketing' },
        { ...base, purpose: 'cross_app_profiling' },
      ],
      now,
      { assertedVia: 'http_api', assertedBy: 'acme', assertedKeyId: 'AbCdEfGhIjKl' },
    );
    expect(outcome.results[0]).toMatchObject({ status: 'rejected', reason: 'schema_violation', errors: [{ field: 'businessId' }] });
    expect(outcome.results[1]).toMatchObject({ status: 'accepted' });
    expect(outcome.accepted[0]?.value).toMatchObject({ assertedVia: 'http_api', assertedBy: 'acme', assertedKeyId: 'AbCdEfGhIjKl' });
    expect(outcome.refused[0]?.headers[HTTP_ROUTE_HEADER]).toBe('POST /v1/consents');
  });
});
