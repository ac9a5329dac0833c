import { addressOf, isBusinessScopedUserId, isParentBusinessScopedUserId } from './business-scoped-user-id';
import { Pseudonymizer } from './pseudonymizer';
import { redactIdentifiers } from './redact';

describe('business-scoped user ids', () => {
  it("recognizes Meta's BSUID and parent BSUID forms, and nothing else", () => {
    expect(isBusinessScopedUserId('US.13491208655302741918')).toBe(true);
    expect(isBusinessScopedUserId('BR.1502576394655843')).toBe(true);
    expect(isParentBusinessScopedUserId('US.ENT.11815799212886844830')).toBe(true);
    expect(isBusinessScopedUserId('US.ENT.11815799212886844830')).toBe(false);
    for (const bad of ['+33612345678', '33612345678', 'us.123', 'USA.123', 'US.', `US.${'1'.repeat(129)}`, 'US.12-34']) {
      expect(isBusinessScopedUserId(bad)).toBe(false);
    }
  });

  it('tells an opened contact that is a number from one that is a BSUID', () => {
    expect(addressOf('+33612345678')).toEqual({ kind: 'phone', e164: '+33612345678' });
    expect(addressOf('FR.88112233445566')).toEqual({ kind: 'bsuid', bsuid: 'FR.88112233445566' });
    expect(addressOf('hello')).toBeUndefined();
  });

  it('pseudonymizes an identifier apart from any personId, and a BSUID-only person apart from any number', () => {
    const p = new Pseudonymizer('x'.repeat(32));
    const bsuid = 'US.13491208655302741918';
    expect(p.identifierDigest('bsuid', bsuid)).toMatch(/^[0-9a-f]{64}$/);
    expect(p.identifierDigest('bsuid', bsuid)).not.toBe(p.personIdOfBusinessScopedUser(bsuid));
    expect(p.identifierDigest('bsuid', bsuid)).not.toBe(p.identifierDigest('parent_bsuid', bsuid));
    expect(p.personIdOfBusinessScopedUser(bsuid)).not.toBe(p.personId('+13491208655'));
  });

  it('masks BSUIDs and numbers in free text, not dates nor words', () => {
    const text =
      'user US.13491208655302741918 (parent US.ENT.11815799212886844830) wrote from +33 6 12 34 56 78 on 2026-12-07 at U.S. office';
    const masked = redactIdentifiers(text);
    expect(masked).not.toContain('13491208655302741918');
    expect(masked).not.toContain('11815799212886844830');
    expect(masked).toContain('[bsuid]');
    expect(masked).toContain('[phone]');
    expect(masked).toContain('2026-12-07');
    expect(masked).toContain('U.S. office');
  });
});
