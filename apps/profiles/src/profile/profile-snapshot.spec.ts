import { type EngagementNormalizedV1, usableInterests, validatePayload, Topic } from '@wt/contracts';
import { InterestDecay } from './interest-decay';
import { toSnapshot } from './profile-snapshot';
import { applyEngagement, applyInbound, emptyProfile } from './profile-state';
import { type ConsentRow } from './profile.store';

const person = 'a'.repeat(64);
const decay = new InterestDecay(24);
const at = '2026-11-28T10:00:00.000Z';

function event(key: string, categories: string[], businessId?: string): EngagementNormalizedV1 {
  return {
    dedupeKey: `facebook:${key}`,
    personId: person,
    contact: 'v1.a.b.c',
    source: 'facebook',
    type: 'click',
    occurredAt: at,
    categories,
    country: 'FR',
    ingestedAt: at,
    ...(businessId ? { businessId } : {}),
  };
}

const profile = applyEngagement(
  emptyProfile(person),
  [event('1', ['running-shoes'], 'acme'), event('2', ['cooking']), event('3', ['wine'], 'cucina')],
  decay,
);
const grant = (purpose: string, businessId = ''): ConsentRow => ({ personId: person, purpose, businessId, status: 'granted' });

describe('profile snapshot: purpose-bound features', () => {
  it('without cross_app_profiling, exposes only each business its own first-party signals', () => {
    const snapshot = toSnapshot(profile, [grant('whatsapp_marketing', 'acme')], 24, new Date(at));
    expect(snapshot.signalBasis).toBe('first_party_only');
    expect(snapshot.interests).toEqual({});
    expect(snapshot.firstPartyInterests).toEqual({ acme: { 'running-shoes': 4 }, cucina: { wine: 4 } });
    expect(usableInterests(snapshot, 'acme')).toEqual({ 'running-shoes': 4 });
    expect(usableInterests(snapshot, 'nova')).toEqual({});
    expect(validatePayload(Topic.ProfileSnapshotsV1, JSON.parse(JSON.stringify(snapshot))).ok).toBe(true);
  });

  it('with cross_app_profiling granted, every signal counts for every business', () => {
    const snapshot = toSnapshot(profile, [grant('cross_app_profiling')], 24, new Date(at));
    expect(snapshot.signalBasis).toBe('cross_app');
    expect(usableInterests(snapshot, 'nova')).toEqual({ 'running-shoes': 4, cooking: 4, wine: 4 });
  });

  it('a revoked cross_app_profiling is the same as none', () => {
    const revoked: ConsentRow = { ...grant('cross_app_profiling'), status: 'revoked' };
    const snapshot = toSnapshot(profile, [revoked], 24, new Date(at));
    expect(snapshot.signalBasis).toBe('first_party_only');
    expect(snapshot.consents.crossAppProfiling).toBe(false);
    expect(usableInterests(snapshot, 'cucina')).toEqual({ wine: 4 });
  });
});

describe('profile snapshot: behaviour signals (issue 16)', () => {
  const typed = (key: string, type: EngagementNormalizedV1['type'], categories: string[], occurredAt: string, businessId?: string) => ({
    ...event(key, categories, businessId),
    type,
    occurredAt,
  });
  const later = '2026-11-30T10:00:00.000Z'; // two days after `at`
  const shopper = applyEngagement(
    emptyProfile(person),
    [
      typed('p1', 'purchase', ['wine'], at, 'cucina'),
      typed('l1', 'like', ['cooking'], at),
      typed('l2', 'comment', ['cooking'], at),
      typed('v1', 'view', ['running-shoes'], later),
    ],
    decay,
  );

  it('keeps purchases per category and per business, the engagement mix, and short-term intent with its own half-life', () => {
    const snapshot = toSnapshot(shopper, [grant('cross_app_profiling')], 24, new Date(later));
    // The long-term half-life here is 24 h: two days later, a purchase counts 1/4.
    expect(snapshot.signals?.purchases.wine).toBeCloseTo(0.25, 6);
    expect(snapshot.firstPartyPurchases).toEqual({ cucina: 0.25 });
    expect(snapshot.signals?.engagementMix).toEqual({ commercial: 0.25, social: 0.5, passive: 1 });
    expect(snapshot.signals?.recentHalfLifeHours).toBe(24);
    expect(snapshot.signals?.recentInterests['running-shoes']).toBeCloseTo(1, 6);
    expect(snapshot.signals?.recentInterests.cooking).toBeCloseTo((2 + 3) / 4, 6);
    // The reserved keys are not businesses.
    expect(Object.keys(snapshot.firstPartyInterests)).toEqual(['cucina']);
    expect(validatePayload(Topic.ProfileSnapshotsV1, JSON.parse(JSON.stringify(snapshot))).ok).toBe(true);
  });

  it('without cross_app_profiling, keeps only the purchases each business saw itself', () => {
    const snapshot = toSnapshot(shopper, [grant('whatsapp_marketing', 'cucina')], 24, new Date(later));
    expect(snapshot.signals).toMatchObject({ purchases: {}, engagementMix: {}, recentInterests: {} });
    expect(snapshot.firstPartyPurchases).toEqual({ cucina: 0.25 });
  });
});

describe('customer-service window', () => {
  const inbound = (phoneNumberId: string, receivedAt: string) => ({ phoneNumberId, receivedAt, contact: 'v1.a.b.c' });

  it('opens for 24 hours after the last inbound message, per business number', () => {
    const p = applyInbound(profile, [
      inbound('100', '2026-11-28T10:00:00Z'),
      inbound('100', '2026-11-28T08:00:00Z'),
      inbound('200', '2026-11-27T00:00:00Z'),
    ]);
    expect(p.serviceWindows).toEqual({ '100': '2026-11-29T10:00:00.000Z', '200': '2026-11-28T00:00:00.000Z' });
    const snapshot = toSnapshot(p, [], 24, new Date(at));
    expect(snapshot.serviceWindowOpenUntil).toBe('2026-11-29T10:00:00.000Z');
    expect(snapshot.serviceWindows).toEqual(p.serviceWindows);
  });

  it('ignores a redelivered or older message: same profile, same version', () => {
    const p = applyInbound(profile, [inbound('100', '2026-11-28T10:00:00Z')]);
    expect(applyInbound(p, [inbound('100', '2026-11-28T10:00:00Z'), inbound('100', '2026-11-28T09:00:00Z')])).toBe(p);
  });
});
