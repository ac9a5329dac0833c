import { validatePayload } from '../validation/validate-payload';
import { Topic } from '../topics/topic.enum';

const personId = 'a'.repeat(64);
const sealedContact = `v2.${personId}.1.aXY.dGFn.ZGF0YQ`;
const revocation = {
  purpose: 'whatsapp_marketing',
  businessId: 'acme',
  status: 'revoked',
  occurredAt: '2026-12-07T04:58:46.000Z',
  source: 'whatsapp-reply',
};

const problemsOf = (value: unknown): string[] => {
  const result = validatePayload(Topic.ConsentV1, value);
  return result.ok ? [] : result.violations.map((v) => `${v.field}: ${v.problems.join('; ')}`);
};

describe('consent.v1 names its person by exactly one of phone, personId, sealedContact (contract 1.1)', () => {
  it('accepts a revocation by phone, by personId or by sealed contact', () => {
    expect(problemsOf({ ...revocation, phone: '+33612345678' })).toEqual([]);
    expect(problemsOf({ ...revocation, personId })).toEqual([]);
    expect(problemsOf({ ...revocation, sealedContact })).toEqual([]);
  });

  it('refuses a record naming nobody, or naming the person twice', () => {
    expect(problemsOf(revocation).join()).toMatch(/^phone: /);
    expect(problemsOf({ ...revocation, phone: '+33612345678', personId }).join()).toMatch(/exactly one of phone, personId, sealedContact/);
    expect(problemsOf({ ...revocation, personId, sealedContact }).join()).toMatch(/exactly one of/);
  });

  it('refuses a grant by personId or sealed contact: a grant is collected with the number', () => {
    expect(problemsOf({ ...revocation, status: 'granted', personId }).join()).toMatch(
      /personId names the person only when status is revoked/,
    );
    expect(problemsOf({ ...revocation, status: 'granted', sealedContact }).join()).toMatch(/sealedContact names the person only/);
    expect(problemsOf({ ...revocation, status: 'granted', phone: '+33612345678' })).toEqual([]);
  });

  it('refuses a malformed personId or sealed contact', () => {
    expect(problemsOf({ ...revocation, personId: 'A'.repeat(64) }).join()).toMatch(/personId must be 64 lower-case hex/);
    expect(problemsOf({ ...revocation, sealedContact: '+33612345678' }).join()).toMatch(/sealedContact must be a contact sealed/);
  });
});

describe('consent.v1 and social.engagement.v1 may name their person by a business-scoped user id (contract 1.3)', () => {
  const bsuid = 'US.13491208655302741918';
  const engagement = {
    eventId: 'e-1',
    source: 'instagram',
    type: 'like',
    occurredAt: '2026-12-07T04:58:46.000Z',
    categories: ['running'],
  };
  const engagementProblems = (value: unknown): string[] => {
    const result = validatePayload(Topic.SocialEngagementV1, value);
    return result.ok ? [] : result.violations.map((v) => `${v.field}: ${v.problems.join('; ')}`);
  };

  it('accepts a consent change by bsuid alone (grant or revocation) or by phone with bsuid', () => {
    expect(problemsOf({ ...revocation, bsuid })).toEqual([]);
    expect(problemsOf({ ...revocation, status: 'granted', bsuid })).toEqual([]);
    expect(problemsOf({ ...revocation, phone: '+33612345678', bsuid })).toEqual([]);
  });

  it('refuses a bsuid beside personId or sealedContact, and a malformed bsuid', () => {
    expect(problemsOf({ ...revocation, personId, bsuid }).join()).toMatch(/exactly one of phone, personId, sealedContact, bsuid/);
    expect(problemsOf({ ...revocation, sealedContact, bsuid }).join()).toMatch(/exactly one of/);
    expect(problemsOf({ ...revocation, bsuid: 'us.123' }).join()).toMatch(/bsuid must be a business-scoped user id/);
    expect(problemsOf({ ...revocation, bsuid: 'US.ENT.123' }).join()).toMatch(/bsuid must be/);
  });

  it('accepts an engagement by phone, by bsuid, or by both, and refuses one naming nobody', () => {
    expect(engagementProblems({ ...engagement, phone: '+33612345678' })).toEqual([]);
    expect(engagementProblems({ ...engagement, bsuid })).toEqual([]);
    expect(engagementProblems({ ...engagement, phone: '+33612345678', bsuid })).toEqual([]);
    expect(engagementProblems(engagement).join()).toMatch(/^phone: /);
    expect(engagementProblems({ ...engagement, bsuid: '+33612345678' }).join()).toMatch(/bsuid must be a business-scoped user id/);
  });
});
