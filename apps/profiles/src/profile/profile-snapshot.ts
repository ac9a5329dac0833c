import { type ProfileSnapshotV1 } from '@wt/contracts';
import { type ConsentRow } from './profile.store';
import { type ProfileState } from './profile-state';

/** The public view of a profile that scoring reads. */
export function toSnapshot(profile: ProfileState, consents: readonly ConsentRow[], halfLifeHours: number, now: Date): ProfileSnapshotV1 {
  const granted = consents.filter((c) => c.personId === profile.personId && c.status === 'granted');
  return {
    personId: profile.personId,
    version: Math.max(1, profile.version),
    updatedAt: (profile.interestsAt ?? now).toISOString(),
    contact: profile.contact ?? undefined,
    country: profile.country ?? undefined,
    timeZone: profile.timeZone ?? undefined,
    interests: profile.interests,
    interestHalfLifeHours: halfLifeHours,
    consents: {
      whatsappMarketing: granted.filter((c) => c.purpose === 'whatsapp_marketing').map((c) => c.businessId).sort(),
      crossAppProfiling: granted.some((c) => c.purpose === 'cross_app_profiling'),
    },
    activity: {
      totalEvents: profile.totalEvents,
      eventsBySource: profile.eventsBySource,
      lastSeenAt: profile.lastSeenAt?.toISOString(),
      eventsByBusiness: profile.eventsByBusiness,
    },
  };
}
