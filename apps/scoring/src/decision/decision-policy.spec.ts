import { type CampaignV1, type ProfileSnapshotV1 } from '@wt/contracts';
import { concerns, decide, decisionIdFor, isRunning, overBudget } from './decision-policy';

const now = new Date('2026-11-28T12:00:00Z');
const campaign: CampaignV1 = {
  campaignId: 'spring-run',
  businessId: 'acme',
  name: 'Spring run',
  status: 'active',
  phoneNumberId: '1000001',
  template: { name: 'new_collection', language: 'en_US', bodyParameters: [{ from: 'profile', value: 'topInterest' }, { from: 'campaign', value: 'name' }] },
  targetCategories: ['running-shoes', 'fitness'],
  minRelevance: 0.3,
  budgetMessages: 10,
  startsAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
};

function snapshot(overrides: Partial<ProfileSnapshotV1> = {}): ProfileSnapshotV1 {
  return {
    personId: 'p'.repeat(64),
    version: 3,
    updatedAt: '2026-11-28T12:00:00Z',
    contact: 'v1.a.b.c',
    country: 'FR',
    timeZone: 'Europe/Paris',
    interests: { 'running-shoes': 4, cooking: 9 },
    interestHalfLifeHours: 24,
    consents: { whatsappMarketing: ['acme'], crossAppProfiling: true },
    activity: { totalEvents: 3, eventsBySource: { facebook: 3 }, eventsByBusiness: {} },
    ...overrides,
  };
}

describe('decide', () => {
  it('sends to an opted-in, interested person and explains why', () => {
    const d = decide(snapshot(), campaign, now);
    expect(d).toMatchObject({ outcome: 'send', reason: 'relevant', decisionId: decisionIdFor('spring-run', 'p'.repeat(64)) });
    expect(d.score).toBeCloseTo(1 - Math.exp(-1), 3);
    expect(d.explanation.factors).toEqual([{ name: 'interest.running_shoes', value: 4, contribution: d.score }]);
    expect(d.explanation.summary).toMatch(/running-shoes/);
    expect(d.send).toMatchObject({ templateName: 'new_collection', bodyParameters: ['running shoes', 'Spring run'], contact: 'v1.a.b.c' });
  });

  it('suppresses without consent, whatever the relevance', () => {
    const d = decide(snapshot({ consents: { whatsappMarketing: ['other'], crossAppProfiling: true } }), campaign, now);
    expect(d).toMatchObject({ outcome: 'suppress', reason: 'no_marketing_consent' });
    expect(d.send).toBeUndefined();
  });

  it('suppresses when interest has decayed below the threshold', () => {
    const old = snapshot({ updatedAt: '2026-11-25T12:00:00Z' }); // three half-lives: 4 -> 0.5
    expect(decide(old, campaign, now)).toMatchObject({ outcome: 'suppress', reason: 'not_relevant' });
  });

  it('turns a send into a budget suppression', () => {
    const d = overBudget(decide(snapshot(), campaign, now));
    expect(d).toMatchObject({ outcome: 'suppress', reason: 'budget_exhausted' });
    expect(d.send).toBeUndefined();
  });
});

describe('campaign selection', () => {
  it('runs only active campaigns within their dates', () => {
    expect(isRunning(campaign, now)).toBe(true);
    expect(isRunning({ ...campaign, status: 'paused' }, now)).toBe(false);
    expect(isRunning({ ...campaign, endsAt: '2026-11-28T00:00:00Z' }, now)).toBe(false);
    expect(isRunning({ ...campaign, startsAt: '2026-12-01T00:00:00Z' }, now)).toBe(false);
  });

  it('evaluates people who opted in or are interested, nobody else', () => {
    expect(concerns(snapshot(), campaign)).toBe(true);
    expect(concerns(snapshot({ interests: {}, consents: { whatsappMarketing: [], crossAppProfiling: false } }), campaign)).toBe(false);
  });
});
