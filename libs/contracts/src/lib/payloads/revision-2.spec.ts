import { Topic } from '../topics/topic.enum';
import { validatePayload } from '../validation/validate-payload';

const person = 'a'.repeat(64);

describe('revision 2 of the decision, status and inbound payloads: new optional fields only', () => {
  const decision = {
    decisionId: 'dec_1',
    campaignId: 'c1',
    businessId: 'acme',
    personId: person,
    outcome: 'suppress',
    reason: 'not_relevant',
    score: 0.1,
    modelVersion: 'm1',
    explanation: { summary: 'x', factors: [] },
    decidedAt: '2026-12-07T10:00:00.000Z',
  };

  it('accepts a decision without an estimated cost (revision 1) and with one', () => {
    expect(validatePayload(Topic.TargetingDecisionsV1, decision).ok).toBe(true);
    const cost = { micros: 62_500, currency: 'USD', category: 'marketing', market: 'brazil', rateCardVersion: 'meta-2025-07-01-usd' };
    expect(validatePayload(Topic.TargetingDecisionsV1, { ...decision, estimatedCost: cost }).ok).toBe(true);
    const bad = validatePayload(Topic.TargetingDecisionsV1, { ...decision, estimatedCost: { ...cost, micros: 0.5 } });
    expect(bad.ok ? [] : bad.violations.map((v) => v.field)).toEqual(['estimatedCost.micros']);
  });

  it('accepts a status with or without the pricing Meta reported', () => {
    const status = {
      decisionId: 'dec_1',
      businessId: 'acme',
      personId: person,
      status: 'delivered',
      occurredAt: '2026-12-07T10:00:00.000Z',
      reportedBy: 'webhook',
    };
    expect(validatePayload(Topic.WhatsappMessageStatusV1, status).ok).toBe(true);
    const pricing = {
      billable: true,
      pricingModel: 'PMP',
      category: 'marketing',
      type: 'regular',
      micros: 62_500,
      currency: 'USD',
      rateCardVersion: 'v1',
    };
    expect(validatePayload(Topic.WhatsappMessageStatusV1, { ...status, pricing }).ok).toBe(true);
    expect(validatePayload(Topic.WhatsappMessageStatusV1, { ...status, pricing: { ...pricing, pricingModel: 'XYZ' } }).ok).toBe(false);
  });

  it('accepts an inbound message with a button payload, the message it answers and an ad referral', () => {
    const inbound = {
      wamid: 'wamid.1',
      personId: person,
      contact: `v2.${person}.1.aaaa.bbbb.cccc`,
      phoneNumberId: '1000001',
      kind: 'button',
      receivedAt: '2026-12-07T10:00:00.000Z',
    };
    expect(validatePayload(Topic.WhatsappInboundV1, inbound).ok).toBe(true);
    const full = {
      ...inbound,
      buttonPayload: 'shop_now',
      repliesTo: { decisionId: 'dec_1', campaignId: 'c1' },
      referral: { ctwaClid: 'ARAkL', sourceType: 'ad', sourceId: '120' },
    };
    expect(validatePayload(Topic.WhatsappInboundV1, full).ok).toBe(true);
    expect(validatePayload(Topic.WhatsappInboundV1, { ...inbound, referral: { ctwaClid: 'x' } }).ok).toBe(false);
  });
});
