import { type EngagementNormalizedV1, SERVICE_WINDOW_MS } from '@wt/contracts';
import { timeZoneForCountry } from '@wt/identity';
import { ENGAGEMENT_KIND, type ProfileState } from '@wt/profile-model';
import { InterestDecay } from './interest-decay';

/**
 * Behaviour signals kept with the same decay (and the same day buckets, so retention purges them
 * alike) as first-party interests, under keys no business id can take (ids start with a letter or
 * digit): purchases per category from every app, purchases per business, and the engagement mix.
 */
export const SIGNAL_KEYS = { purchases: '~purchases', businessPurchases: '~business-purchases', mix: '~mix' } as const;

/** Half-life of short-term intent (`recentInterests`): the last day or two against the long-term level. */
export const RECENT_HALF_LIFE_HOURS = 24;
const recentDecay = new InterestDecay(RECENT_HALF_LIFE_HOURS);

export function emptyProfile(personId: string): ProfileState {
  return { personId, contact: null, country: null, timeZone: null, ...noActivity(), serviceWindows: {}, version: 0 };
}

/** A profile's activity when nothing is counted (none yet, or all of it past retention): new objects each time. */
export function noActivity(): Pick<
  ProfileState,
  | 'interests'
  | 'businessInterests'
  | 'interestsAt'
  | 'recentInterests'
  | 'totalEvents'
  | 'eventsBySource'
  | 'eventsByBusiness'
  | 'lastSeenAt'
> {
  return {
    interests: {},
    businessInterests: {},
    interestsAt: null,
    recentInterests: {},
    totalEvents: 0,
    eventsBySource: {},
    eventsByBusiness: {},
    lastSeenAt: null,
  };
}

/** Applies new (already deduplicated) events of one person to their profile. Pure. */
export function applyEngagement(profile: ProfileState, events: readonly EngagementNormalizedV1[], decay: InterestDecay): ProfileState {
  if (events.length === 0) return profile;
  const times = events.map((event) => Date.parse(event.occurredAt));
  const previousAt = profile.interestsAt?.getTime();
  const atMs = Math.max(previousAt ?? -Infinity, ...times);
  const interests = previousAt === undefined ? {} : decay.rebase(profile.interests, previousAt, atMs);
  const businessInterests: Record<string, Record<string, number>> = {};
  for (const [businessId, scores] of Object.entries(profile.businessInterests)) {
    businessInterests[businessId] = previousAt === undefined ? {} : decay.rebase(scores, previousAt, atMs);
  }
  const recentInterests = previousAt === undefined ? {} : recentDecay.rebase(profile.recentInterests ?? {}, previousAt, atMs);
  const eventsBySource = { ...profile.eventsBySource };
  const eventsByBusiness = { ...profile.eventsByBusiness };
  events.forEach((event, i) => {
    decay.add(interests, atMs, event.categories, event.type, times[i]);
    recentDecay.add(recentInterests, atMs, event.categories, event.type, times[i]);
    if (event.businessId) decay.add((businessInterests[event.businessId] ??= {}), atMs, event.categories, event.type, times[i]);
    addSignals(businessInterests, decay, atMs, event, times[i]);
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
    businessInterests: pruneBusinesses(businessInterests, decay),
    interestsAt: new Date(atMs),
    recentInterests: recentDecay.prune(recentInterests),
    totalEvents: profile.totalEvents + events.length,
    eventsBySource,
    eventsByBusiness,
    lastSeenAt: new Date(lastSeenMs),
    version: profile.version + 1,
  };
}

/** Adds one event's behaviour signals (`SIGNAL_KEYS`) to the business-keyed maps, counted as 1 each (not weighted by type). */
export function addSignals(
  byBusiness: Record<string, Record<string, number>>,
  decay: InterestDecay,
  atMs: number,
  event: Pick<EngagementNormalizedV1, 'type' | 'categories' | 'businessId'>,
  eventMs: number,
): void {
  const one = decay.factor(eventMs, atMs);
  const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + one);
  bump((byBusiness[SIGNAL_KEYS.mix] ??= {}), ENGAGEMENT_KIND[event.type]);
  if (event.type !== 'purchase') return;
  const purchases = (byBusiness[SIGNAL_KEYS.purchases] ??= {});
  for (const category of event.categories) bump(purchases, category);
  if (event.businessId) bump((byBusiness[SIGNAL_KEYS.businessPurchases] ??= {}), event.businessId);
}

function pruneBusinesses(byBusiness: Record<string, Record<string, number>>, decay: InterestDecay): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [businessId, scores] of Object.entries(byBusiness)) {
    const kept = decay.prune(scores);
    if (Object.keys(kept).length > 0) out[businessId] = kept;
  }
  return out;
}

/**
 * Opens (or extends) the customer-service windows after inbound messages. Idempotent: a window only
 * moves later, so a redelivered message changes nothing (and the profile keeps its version).
 */
export function applyInbound(
  profile: ProfileState,
  messages: readonly { phoneNumberId: string; receivedAt: string; contact: string }[],
): ProfileState {
  const serviceWindows = { ...profile.serviceWindows };
  let changed = false;
  for (const message of messages) {
    const until = Date.parse(message.receivedAt) + SERVICE_WINDOW_MS;
    const current = serviceWindows[message.phoneNumberId];
    if (current === undefined || Date.parse(current) < until) {
      serviceWindows[message.phoneNumberId] = new Date(until).toISOString();
      changed = true;
    }
  }
  if (!changed) return profile;
  return { ...profile, contact: profile.contact ?? messages[0].contact, serviceWindows, version: profile.version + 1 };
}
