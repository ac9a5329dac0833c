import { normalizePhone, timeZoneForCountry } from './phone-number';
import { PlatformKeySealer } from './platform-key-sealer';
import { Pseudonymizer } from './pseudonymizer';
import { redactPhones } from './redact';
import { randomBytes } from 'node:crypto';

describe('normalizePhone', () => {
  it.each([
    ['+33 6 12 34 56 78', undefined, '+33612345678', 'FR'],
    ['0033612345678', undefined, '+33612345678', 'FR'],
    ['06 12 34 56 78', 'FR', '+33612345678', 'FR'],
    ['(415) 555-2671', 'US', '+14155552671', 'US'],
    ['+44 7400 123456', undefined, '+447400123456', 'GB'],
  ])('normalizes %s', (input, hint, e164, country) => {
    expect(normalizePhone(input, hint)).toEqual({ ok: true, e164, country });
  });

  it('uses the default region when there is no hint', () => {
    expect(normalizePhone('06 12 34 56 78', undefined, 'FR')).toMatchObject({ ok: true, e164: '+33612345678' });
  });

  it('refuses national numbers without a region, and invalid numbers', () => {
    expect(normalizePhone('06 12 34 56 78')).toMatchObject({ ok: false, reason: expect.stringMatching(/national format/) });
    expect(normalizePhone('+33 1')).toMatchObject({ ok: false });
    expect(normalizePhone('hello')).toMatchObject({ ok: false });
    expect(normalizePhone('+33 6 12 34 56 78 99')).toMatchObject({ ok: false });
  });

  it('infers a time zone from the country', () => {
    expect(timeZoneForCountry('FR')).toBe('Europe/Paris');
    expect(timeZoneForCountry(undefined)).toBeUndefined();
  });
});

describe('Pseudonymizer', () => {
  it('is stable per number and secret, and differs across secrets', () => {
    const a = new Pseudonymizer('a'.repeat(32));
    const b = new Pseudonymizer('b'.repeat(32));
    expect(a.personId('+33612345678')).toBe(a.personId('+33612345678'));
    expect(a.personId('+33612345678')).toMatch(/^[0-9a-f]{64}$/);
    expect(a.personId('+33612345678')).not.toBe(b.personId('+33612345678'));
    expect(() => new Pseudonymizer('short')).toThrow(/32/);
  });
});

describe('PlatformKeySealer (legacy v1)', () => {
  const key = randomBytes(32).toString('base64');

  it('round-trips and never shows the number', () => {
    const sealer = new PlatformKeySealer(key);
    const sealed = sealer.seal('+33612345678');
    expect(sealed).not.toContain('612345678');
    expect(sealed).toMatch(/^v1\./);
    expect(sealer.open(sealed)).toBe('+33612345678');
  });

  it('refuses another key and tampering', () => {
    const sealed = new PlatformKeySealer(key).seal('+33612345678');
    expect(() => new PlatformKeySealer(randomBytes(32).toString('base64')).open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('+33600000000').toString('base64url');
    expect(() => new PlatformKeySealer(key).open(parts.join('.'))).toThrow();
  });
});

describe('redactPhones', () => {
  it('masks numbers in free text and keeps short numbers', () => {
    expect(redactPhones('failed for +33 6 12 34 56 78 after 3 tries')).toBe('failed for [phone] after 3 tries');
    expect(redactPhones('status 131026 at 12:00')).toBe('status 131026 at 12:00');
    expect(redactPhones('at 2026-11-29T01:43:57.349Z')).toBe('at 2026-11-29T01:43:57.349Z');
    expect(redactPhones('to 0612345678 and 447400123456')).toBe('to [phone] and [phone]');
    // A Kafka member id: a UUID's digit runs are not phone numbers; a number right after one still is.
    const member = 'dispatcher-1af2af8c-0b2e-4c6d-b58e-012345678912';
    expect(redactPhones(`member ${member} left`)).toBe(`member ${member} left`);
    expect(redactPhones(`${member} +33612345678`)).toBe(`${member} [phone]`);
  });
});
