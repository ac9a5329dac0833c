import { type ProfileState } from '@wt/profile-model';
import { type ProfileSnapshotV1 } from '@wt/contracts';
import { type ConsentRow } from './profile.store';
import { RECENT_HALF_LIFE_HOURS, SIGNAL_KEYS } from './profile-state';

const SIGNAL_KEY_SET = new Set<string>(Object.values(SIGNAL_KEYS));

/** The public view of a profile that scoring reads. */
export function toSnapshot(profile: ProfileState, consents: readonly ConsentRow[], halfLifeHours: number, now: Date): ProfileSnapshotV1 {
  const granted = consents.filter((c) => c.personId === profile.personId && c.status === 'granted');
  const crossAppProfiling = granted.some((c) => c.purpose === 'cross_app_profiling');
  const windows = Object.values(profile.serviceWindows).sort();
  const firstPartyInterests: Record<string, Record<string, number>> = {};
  for (const [businessId, scores] of Object.entries(profile.businessInterests))
    if (!SIGNAL_KEY_SET.has(businessId)) firstPartyInterests[businessId] = scores;
  const signals = profile.businessInterests;
  return {
    personId: profile.personId,
    version: Math.max(1, profile.version),
    updatedAt: (profile.interestsAt ?? now).toISOString(),
    contact: profile.contact ?? undefined,
    country: profile.country ?? undefined,
    timeZone: profile.timeZone ?? undefined,
    // Purpose-bound features: cross-app signals only count with a current cross_app_profiling grant.
    interests: crossAppProfiling ? profile.interests : {},
    signalBasis: crossAppProfiling ? 'cross_app' : 'first_party_only',
    firstPartyInterests,
    // Behaviour signals: combined from every app, so only under cross_app_profiling; purchases
    // from a business are its own (first-party) and always present.
    signals: {
      purchases: crossAppProfiling ? (signals[SIGNAL_KEYS.purchases] ?? {}) : {},
      engagementMix: crossAppProfiling ? (signals[SIGNAL_KEYS.mix] ?? {}) : {},
      recentInterests: crossAppProfiling ? (profile.recentInterests ?? {}) : {},
      recentHalfLifeHours: RECENT_HALF_LIFE_HOURS,
    },
    firstPartyPurchases: signals[SIGNAL_KEYS.businessPurchases] ?? {},
    serviceWindowOpenUntil: windows.at(-1),
    serviceWindows: profile.serviceWindows,
    interestHalfLifeHours: halfLifeHours,
    consents: {
      whatsappMarketing: granted
        .filter((c) => c.purpose === 'whatsapp_marketing')
        .map((c) => c.businessId)
        .sort(),
      crossAppProfiling,
    },
    activity: {
      totalEvents: profile.totalEvents,
      eventsBySource: profile.eventsBySource,
      lastSeenAt: profile.lastSeenAt?.toISOString(),
      eventsByBusiness: profile.eventsByBusiness,
    },
  };
}
