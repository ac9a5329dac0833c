import { type ConsentEventV1, type EngagementEventV1 } from '@wt/contracts';
import { ContactSealer, InMemoryPersonKeyStore, Pseudonymizer } from '@wt/identity';
import { EventNormalizer, phoneCache } from './event-normalizer';

const now = new Date('2026-11-28T12:00:00Z');
const keys = new InMemoryPersonKeyStore();

function newNormalizer(overrides: Partial<ConstructorParameters<typeof EventNormalizer>[2]> = {}) {
  return new EventNormalizer(new Pseudonymizer('s'.repeat(32)), new ContactSealer(keys), {
    maxAgeMs: 30 * 86_400_000,
    maxFutureSkewMs: 300_000,
    ...overrides,
  });
}

const event: EngagementEventV1 = {
  eventId: 'e1',
  source: 'facebook',
  type: 'click',
  phone: '06 12 34 56 78',
  country: 'FR',
  occurredAt: '2026-11-28T11:00:00+01:00',
  categories: ['shoes', 'shoes', 'running'],
};

describe('EventNormalizer.engagement', () => {
  it('replaces the phone by a personId and a contact sealed under the person key, for the whole batch at once', async () => {
    const normalizer = newNormalizer();
    const calls = keys.calls;
    const [result, other, refused] = await normalizer.engagements(
      [event, { ...event, eventId: 'e2', phone: '+33 6 98 76 54 32' }, { ...event, eventId: 'e3', phone: '+33 1' }],
      now,
    );
    expect(keys.calls).toBe(calls + 1);
    expect(refused).toMatchObject({ ok: false, reason: 'invalid_phone' });
    expect(other?.ok && other.value.contact.startsWith(`v2.${other.value.personId}.`)).toBe(true);
    if (!result?.ok) throw new Error('refused');
    expect(result.value.personId).toBe(new Pseudonymizer('s'.repeat(32)).personId('+33612345678'));
    expect(result.value.contact.startsWith(`v2.${result.value.personId}.`)).toBe(true);
    expect(await new ContactSealer(keys).open(result.value.contact)).toEqual({ ok: true, e164: '+33612345678' });
    expect(JSON.stringify(result.value)).not.toContain('612345678');
    expect(result.value).toMatchObject({ dedupeKey: 'facebook:e1', country: 'FR', occurredAt: '2026-11-28T10:00:00.000Z' });
    expect(result.value.categories).toEqual(['shoes', 'running']);
  });

  it('gives the same personId for every written form of a number', async () => {
    const n = newNormalizer();
    const [a, b, c] = await n.engagements(
      [event, { ...event, phone: '+33 (0)6 12 34 56 78', country: undefined }, { ...event, phone: '0033612345678', country: undefined }],
      now,
    );
    expect(a?.ok && b?.ok && c?.ok).toBe(true);
    if (a?.ok && b?.ok && c?.ok) expect(new Set([a.value.personId, b.value.personId, c.value.personId]).size).toBe(1);
  });

  it('uses the default region for national numbers without a hint', async () => {
    expect(await newNormalizer().engagement({ ...event, country: undefined }, now)).toMatchObject({ ok: false, reason: 'invalid_phone' });
    expect((await newNormalizer({ defaultRegion: 'FR' }).engagement({ ...event, country: undefined }, now)).ok).toBe(true);
  });

  it('refuses events from the future and past the retention window', async () => {
    expect(await newNormalizer().engagement({ ...event, occurredAt: '2026-11-28T12:10:00Z' }, now)).toMatchObject({
      ok: false,
      reason: 'timestamp_in_future',
    });
    expect(await newNormalizer().engagement({ ...event, occurredAt: '2026-10-01T00:00:00Z' }, now)).toMatchObject({
      ok: false,
      reason: 'timestamp_too_old',
    });
  });
});

describe('EventNormalizer.consent', () => {
  const consent: ConsentEventV1 = {
    phone: '+33612345678',
    purpose: 'whatsapp_marketing',
    businessId: 'acme',
    status: 'granted',
    occurredAt: '2026-11-28T11:00:00Z',
    source: 'web-form',
  };

  it('pseudonymizes, seals the contact and keeps the business of a marketing consent', async () => {
    const result = await newNormalizer().consent(consent, now);
    expect(result).toMatchObject({
      ok: true,
      value: { businessId: 'acme', status: 'granted', country: 'FR' },
    });
    if (!result.ok) throw new Error('refused');
    expect(await new ContactSealer(keys).open(result.value.contact as string)).toEqual({ ok: true, e164: '+33612345678' });
  });

  it('refuses an invalid number with the reason', async () => {
    expect(await newNormalizer().consent({ ...consent, phone: '+33 1' }, now)).toMatchObject({ ok: false, reason: 'invalid_phone' });
  });

  it('attributes a Kafka record to what its producer declared, else to an unidentified Kafka producer', async () => {
    expect(await newNormalizer().consent(consent, now)).toMatchObject({
      value: { assertedVia: 'kafka_producer', assertedBy: 'unidentified' },
    });
    const declared = { ...consent, assertedVia: 'whatsapp_webhook', assertedBy: 'dispatcher' } as const;
    expect(await newNormalizer().consent(declared, now)).toMatchObject({
      value: { assertedVia: 'whatsapp_webhook', assertedBy: 'dispatcher' },
    });
  });

  it('takes the attribution it is given (the HTTP door) over what the record declares', async () => {
    const declared = { ...consent, assertedVia: 'assistant', assertedBy: 'someone-else' } as const;
    const result = await newNormalizer().consent(declared, now, {
      assertedVia: 'http_api',
      assertedBy: 'acme',
      assertedKeyId: 'AbCdEfGhIjKl',
    });
    expect(result).toMatchObject({ value: { assertedVia: 'http_api', assertedBy: 'acme', assertedKeyId: 'AbCdEfGhIjKl' } });
  });

  it('takes the person of a revocation named by personId or by a sealed contact, and forwards no contact', async () => {
    const pseudonymizer = new Pseudonymizer('s'.repeat(32));
    const personId = pseudonymizer.personId('+33612345678');
    const sealedContact = await new ContactSealer(keys).seal(personId, '+33612345678');
    const { phone: _phone, ...revocation } = { ...consent, status: 'revoked' as const, source: 'whatsapp-reply' };
    for (const named of [{ personId }, { sealedContact }]) {
      const normalizer = newNormalizer();
      const result = await normalizer.consent({ ...revocation, ...named }, now);
      expect(result).toEqual({
        ok: true,
        value: {
          personId,
          purpose: 'whatsapp_marketing',
          businessId: 'acme',
          status: 'revoked',
          occurredAt: '2026-11-28T11:00:00.000Z',
          source: 'whatsapp-reply',
          country: undefined,
          assertedVia: 'kafka_producer',
          assertedBy: 'unidentified',
        },
      });
      expect(result.ok && 'contact' in result.value).toBe(false);
    }
  });

  it('refuses a v1 sealed contact, which names no person', async () => {
    const { phone: _phone, ...revocation } = { ...consent, status: 'revoked' as const };
    expect(await newNormalizer().consent({ ...revocation, sealedContact: 'v1.aXY.dGFn.ZGF0YQ' }, now)).toMatchObject({
      ok: false,
      reason: 'schema_violation',
    });
  });
});

describe('EventNormalizer phone cache', () => {
  it('parses and pseudonymizes a written number once across batches, with the same result', async () => {
    const pseudonymizer = new Pseudonymizer('s'.repeat(32));
    const hmac = jest.spyOn(pseudonymizer, 'personId');
    const n = new EventNormalizer(pseudonymizer, new ContactSealer(keys), { maxAgeMs: 30 * 86_400_000, maxFutureSkewMs: 300_000 });
    const first = await n.engagement(event, now);
    if (!first.ok) throw new Error('refused');
    const second = await n.engagement({ ...event, eventId: 'e2' }, now);
    if (!second.ok) throw new Error('refused');
    expect(hmac).toHaveBeenCalledTimes(1);
    expect(second.value.personId).toBe(first.value.personId);
    expect(second.value.country).toBe('FR');
    // Each value still gets its own seal (its own IV), and opens to the number.
    expect(second.value.contact).not.toBe(first.value.contact);
    expect(await new ContactSealer(keys).open(second.value.contact)).toEqual({ ok: true, e164: '+33612345678' });
    // The same digits with another region hint are another entry, and an invalid number stays refused.
    expect(await n.engagement({ ...event, country: 'BE' }, now)).toMatchObject({ ok: false, reason: 'invalid_phone' });
    expect(await n.engagement({ ...event, country: 'BE' }, now)).toMatchObject({ ok: false, reason: 'invalid_phone' });
  });

  it('keeps numbers across batches only when asked to', async () => {
    const pseudonymizer = new Pseudonymizer('s'.repeat(32));
    const hmac = jest.spyOn(pseudonymizer, 'personId');
    const n = new EventNormalizer(pseudonymizer, new ContactSealer(keys), {
      maxAgeMs: 30 * 86_400_000,
      maxFutureSkewMs: 300_000,
      phoneCacheMax: 0,
    });
    for (let batch = 0; batch < 2; batch++) {
      const results = await n.engagements([event, { ...event, eventId: 'e2' }], now);
      expect(results.every((r) => r.ok)).toBe(true);
    }
    expect(hmac).toHaveBeenCalledTimes(2);
  });
});

describe('phoneCache', () => {
  it('holds at most max entries and forgets the least recently used first', () => {
    const cache = phoneCache<{ n: number }>(4, 60_000, () => 1_000);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, { n: i });
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get('k9')).toEqual({ n: 9 });
    expect(cache.get('k0')).toBeUndefined();
  });

  it('returns an entry until ttl after it was set and never later, however often it is read', () => {
    let time = 0;
    const cache = phoneCache<{ at: number }>(1000, 100, () => time);
    const setAt = new Map<string, number>();
    for (time = 1_000; time < 2_000; time += 3) {
      if (time % 13 === 0) {
        cache.set(`k${time}`, { at: time });
        setAt.set(`k${time}`, time);
      }
      for (const [key, at] of setAt) {
        const got = cache.get(key);
        if (time - at > 100) expect(got).toBeUndefined();
        else expect(got).toEqual({ at });
      }
    }
  });
});
