import { type ProfileSnapshotV1 } from '@wt/contracts';
import { type ConsentRow } from './profile.store';
import { type ProfileState } from './profile-state';

/** The public view of a profile that scoring reads. */
export function toSnapshot(profile: ProfileState, consents: readonly ConsentRow[], halfLifeHours: number, now: Date): ProfileSnapshotV1 {
  const granted = consents.filter((c) => c.personId === profile.personId && c.status === 'granted');
  const crossAppProfiling = granted.some((c) => c.purpose === 'cross_app_profiling');
  const windows = Object.values(profile.serviceWindows).sort();
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
    firstPartyInterests: profile.businessInterests,
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
