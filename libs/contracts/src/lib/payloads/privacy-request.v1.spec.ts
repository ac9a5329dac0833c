import { Topic } from '../topics/topic.enum';
import { validatePayload } from '../validation/validate-payload';

const request = { requestId: 'req-1', type: 'erasure', requestedAt: '2026-12-07T10:00:00.000Z' };
const personId = 'b'.repeat(64);

const problemsOf = (topic: Topic, value: unknown): string[] => {
  const result = validatePayload(topic, value);
  return result.ok ? [] : result.violations.map((v) => `${v.field}: ${v.problems.join('; ')}`);
};

describe('contract 1.2: people known by a WhatsApp business-scoped user id', () => {
  it('privacy.requests.v1 names its person by phone (as before) or by personId, exactly one', () => {
    expect(problemsOf(Topic.PrivacyRequestsV1, { ...request, phone: '+33612345678' })).toEqual([]);
    expect(problemsOf(Topic.PrivacyRequestsV1, { ...request, personId })).toEqual([]);
    expect(problemsOf(Topic.PrivacyRequestsV1, request).join()).toMatch(/^phone: /);
    expect(problemsOf(Topic.PrivacyRequestsV1, { ...request, phone: '+33612345678', personId }).join()).toMatch(
      /exactly one of phone, personId/,
    );
    expect(problemsOf(Topic.PrivacyRequestsV1, { ...request, personId: 'US.13491208655302741918' }).join()).toMatch(/personId must be/);
  });

  it('whatsapp.inbound.v1 may say its contact is a BSUID; a record without contactKind reads as before', () => {
    const inbound = {
      wamid: 'wamid.X',
      personId,
      contact: `v2.${personId}.1.aXY.dGFn.ZGF0YQ`,
      phoneNumberId: '1000001',
      kind: 'text',
      text: 'hi',
      receivedAt: '2026-12-07T10:00:00.000Z',
    };
    expect(problemsOf(Topic.WhatsappInboundV1, inbound)).toEqual([]);
    expect(problemsOf(Topic.WhatsappInboundV1, { ...inbound, contactKind: 'bsuid' })).toEqual([]);
    expect(problemsOf(Topic.WhatsappInboundV1, { ...inbound, contactKind: 'username' }).join()).toMatch(/^contactKind: /);
  });
});
