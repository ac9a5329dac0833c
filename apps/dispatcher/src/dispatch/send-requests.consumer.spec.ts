import { mayBeSend } from './send-requests.consumer';

const decision = {
  decisionId: 'd-1',
  campaignId: 'c-1',
  businessId: 'b-1',
  personId: 'a'.repeat(64),
  reason: 'eligible',
  score: 0.7,
  modelVersion: 'v1',
  explanation: { summary: 'sending is fine', factors: [] },
  decidedAt: '2026-11-29T08:00:00.000Z',
};
const send = { phoneNumberId: '1001', contact: 'sealed', templateName: 'promo', language: 'en', bodyParameters: ['send'] };

describe('mayBeSend (the raw filter of targeting.decisions.v1)', () => {
  it('lets every send decision through, however it is serialized', () => {
    const sendDecision = { ...decision, outcome: 'send', send };
    expect(mayBeSend(Buffer.from(JSON.stringify(sendDecision)))).toBe(true);
    expect(mayBeSend(Buffer.from(JSON.stringify(sendDecision, null, 2)))).toBe(true);
    expect(mayBeSend(Buffer.from(JSON.stringify({ send, ...decision, outcome: 'send' })))).toBe(true);
  });

  it('skips a suppress decision, even one whose text mentions sending', () => {
    expect(mayBeSend(Buffer.from(JSON.stringify({ ...decision, outcome: 'suppress', reason: 'sending_blocked' })))).toBe(false);
  });
});
