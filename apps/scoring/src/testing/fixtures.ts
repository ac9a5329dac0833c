import { type CampaignV1, type ProfileSnapshotV1 } from '@wt/contracts';
import { type ContactPolicyOptions } from '../policy/contact-policy';

export const PERSON = 'p'.repeat(64);

export function campaignFixture(overrides: Partial<CampaignV1> = {}): CampaignV1 {
  return {
    campaignId: 'spring-run',
    businessId: 'acme',
    name: 'Spring run',
    status: 'active',
    phoneNumberId: '1000001',
    template: {
      name: 'new_collection',
      language: 'en_US',
      bodyParameters: [
        { from: 'profile', value: 'topInterest' },
        { from: 'campaign', value: 'name' },
      ],
    },
    targetCategories: ['running-shoes', 'fitness'],
    minRelevance: 0.3,
    budgetMessages: 10,
    startsAt: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-01T00:00:00Z',
    ...overrides,
  };
}

/** A snapshot in the shape profiles publishes (with or without the purpose-bound fields). */
export function snapshotFixture(overrides: Record<string, unknown> = {}): ProfileSnapshotV1 {
  return {
    personId: PERSON,
    version: 3,
    updatedAt: '2026-11-28T12:00:00Z',
    contact: 'v1.a.b.c',
    country: 'FR',
    timeZone: 'Europe/Paris',
    interests: { 'running-shoes': 8, cooking: 9 },
    signalBasis: 'cross_app',
    firstPartyInterests: { acme: { 'running-shoes': 8 } },
    interestHalfLifeHours: 24,
    consents: { whatsappMarketing: ['acme'], crossAppProfiling: true },
    activity: {
      totalEvents: 3,
      eventsBySource: { facebook: 1, instagram: 2 },
      eventsByBusiness: { acme: 1 },
      lastSeenAt: '2026-11-28T11:00:00Z',
    },
    ...overrides,
  } as unknown as ProfileSnapshotV1;
}

/** Contact policy of the unit tests: two messages a week per business, two a day across businesses, quiet 21:00 to 08:00 UTC. */
export const policyFixture: ContactPolicyOptions = {
  perBusinessWeeklyCap: 2,
  crossBusinessDailyCap: 2,
  quietStartHour: 21,
  quietEndHour: 8,
  defaultTimeZone: 'UTC',
};
