import { type EngagementNormalizedV1 } from '@wt/contracts';
import { timeZoneForCountry } from '@wt/identity';
import { type InterestDecay } from './interest-decay';

/** A person's profile as stored (one row of person_profile). */
export interface ProfileState {
  personId: string;
  contact: string | null;
  country: string | null;
  timeZone: string | null;
  interests: Record<string, number>;
  interestsAt: Date | null;
  totalEvents: number;
  eventsBySource: Record<string, number>;
  eventsByBusiness: Record<string, number>;
  lastSeenAt: Date | null;
  version: number;
}

export function emptyProfile(personId: string): ProfileState {
  return {
    personId,
    contact: null,
    country: null,
    timeZone: null,
    interests: {},
    interestsAt: null,
    totalEvents: 0,
    eventsBySource: {},
    eventsByBusiness: {},
    lastSeenAt: null,
    version: 0,
  };
}

/** Applies new (already deduplicated) events of one person to their profile. Pure. */
export function applyEngagement(profile: ProfileState, events: readonly EngagementNormalizedV1[], decay: InterestDecay): ProfileState {
  if (events.length === 0) return profile;
  const times = events.map((event) => Date.parse(event.occurredAt));
  const previousAt = profile.interestsAt?.getTime();
  const atMs = Math.max(previousAt ?? -Infinity, ...times);
  const interests = previousAt === undefined ? {} : decay.rebase(profile.interests, previousAt, atMs);
  const eventsBySource = { ...profile.eventsBySource };
  const eventsByBusiness = { ...profile.eventsByBusiness };
  events.forEach((event, i) => {
    decay.add(interests, atMs, event.categories, event.type, times[i]);
    eventsBySource[event.source] = (eventsBySource[event.source] ?? 0) + 1;
    if (event.businessId) eventsByBusiness[event.businessId] = (eventsByBusiness[event.businessId] ?? 0) + 1;
  });
  const latest = events.reduce((a, b) => (Date.parse(a.occurredAt) >= Date.parse(b.occurredAt) ? a : b));
  const country = latest.country ?? profile.country;
  const lastSeenMs = Math.max(profile.lastSeenAt?.getTime() ?? -Infinity, ...times);
  return {
    ...profile,
    contact: latest.contact,
    country,
    timeZone: timeZoneForCountry(country ?? undefined) ?? profile.timeZone,
    interests: decay.prune(interests),
    interestsAt: new Date(atMs),
    totalEvents: profile.totalEvents + events.length,
    eventsBySource,
    eventsByBusiness,
    lastSeenAt: new Date(lastSeenMs),
    version: profile.version + 1,
  };
}
