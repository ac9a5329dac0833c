import { type EngagementNormalizedV1 } from '@wt/contracts';
import { type DayBucket, type ProfileState } from '@wt/profile-model';
import { type InterestDecay } from './interest-decay';
import { addSignals, noActivity } from './profile-state';

const DAY_MS = 86_400_000;

const dayNames = new Map<number, string>();

/** The UTC day (`YYYY-MM-DD`) of an instant; the names of the days met are kept (a few hundred at most). */
export function dayOf(ms: number): string {
  const n = Math.floor(ms / DAY_MS);
  let name = dayNames.get(n);
  if (name === undefined) {
    name = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size >= 4096) dayNames.clear();
    dayNames.set(n, name);
  }
  return name;
}

function startOf(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/**
 * The retention window in days: a day's signals count until the whole day is older than the
 * window, so the first day still counted is the UTC day of `now - window` (up to 24 h of grace).
 * Events dated before this day are refused, and days before it are purged.
 */
export function retentionCutoff(now: Date, retentionDays: number): { day: string; startsAt: Date } {
  const day = dayOf(now.getTime() - retentionDays * DAY_MS);
  return { day, startsAt: new Date(startOf(day)) };
}

/** The contributions of new (already deduplicated) events, per person and UTC day. Pure. */
export function dayBucketsOf(events: readonly EngagementNormalizedV1[], decay: InterestDecay): DayBucket[] {
  const buckets = new Map<string, DayBucket>();
  for (const event of events) {
    const at = Date.parse(event.occurredAt);
    const day = dayOf(at);
    const key = `${event.personId}|${day}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = {
        personId: event.personId,
        day,
        interests: {},
        businessInterests: {},
        eventsBySource: {},
        eventsByBusiness: {},
        totalEvents: 0,
        lastSeenAt: new Date(at),
      };
      buckets.set(key, bucket);
    }
    const dayStart = startOf(day);
    decay.add(bucket.interests, dayStart, event.categories, event.type, at);
    addSignals(bucket.businessInterests, decay, dayStart, event, at);
    if (event.businessId) {
      decay.add((bucket.businessInterests[event.businessId] ??= {}), dayStart, event.categories, event.type, at);
      bucket.eventsByBusiness[event.businessId] = (bucket.eventsByBusiness[event.businessId] ?? 0) + 1;
    }
    bucket.eventsBySource[event.source] = (bucket.eventsBySource[event.source] ?? 0) + 1;
    bucket.totalEvents += 1;
    if (at > bucket.lastSeenAt.getTime()) bucket.lastSeenAt = new Date(at);
  }
  return [...buckets.values()];
}

/** Two contributions to the same person and day, added (a new value; neither is changed). */
export function addBuckets(a: DayBucket, b: DayBucket): DayBucket {
  const businessInterests: Record<string, Record<string, number>> = {};
  for (const [businessId, scores] of [...Object.entries(a.businessInterests), ...Object.entries(b.businessInterests)]) {
    addScores((businessInterests[businessId] ??= {}), scores);
  }
  const sum = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    addScores(out, y);
    return out;
  };
  return {
    personId: a.personId,
    day: a.day,
    interests: sum(a.interests, b.interests),
    businessInterests,
    eventsBySource: sum(a.eventsBySource, b.eventsBySource),
    eventsByBusiness: sum(a.eventsByBusiness, b.eventsByBusiness),
    totalEvents: a.totalEvents + b.totalEvents,
    lastSeenAt: a.lastSeenAt > b.lastSeenAt ? a.lastSeenAt : b.lastSeenAt,
  };
}

/**
 * A profile's signals recomputed from the days it has left (after a purge): interests (and the
 * behaviour signals kept with them) re-referenced to the latest event still held, counts and
 * last-seen summed over those days. Everything that is not a signal (sealed contact, country, time
 * zone, service windows) is kept, and so is short-term intent (a purged day is older than the
 * retention window: its share of a 24 h half-life is nil). Pure.
 */
export function recomputeFromBuckets(profile: ProfileState, buckets: readonly DayBucket[], decay: InterestDecay): ProfileState {
  const own = buckets.filter((b) => b.personId === profile.personId);
  if (own.length === 0) {
    return { ...profile, ...noActivity(), version: profile.version + 1 };
  }
  const atMs = Math.max(...own.map((b) => b.lastSeenAt.getTime()));
  const interests: Record<string, number> = {};
  const businessInterests: Record<string, Record<string, number>> = {};
  const eventsBySource: Record<string, number> = {};
  const eventsByBusiness: Record<string, number> = {};
  let totalEvents = 0;
  for (const bucket of own) {
    const dayStart = startOf(bucket.day);
    addScores(interests, decay.rebase(bucket.interests, dayStart, atMs));
    for (const [businessId, scores] of Object.entries(bucket.businessInterests)) {
      addScores((businessInterests[businessId] ??= {}), decay.rebase(scores, dayStart, atMs));
    }
    addScores(eventsBySource, bucket.eventsBySource);
    addScores(eventsByBusiness, bucket.eventsByBusiness);
    totalEvents += bucket.totalEvents;
  }
  const prunedBusinesses: Record<string, Record<string, number>> = {};
  for (const [businessId, scores] of Object.entries(businessInterests)) {
    const kept = decay.prune(scores);
    if (Object.keys(kept).length > 0) prunedBusinesses[businessId] = kept;
  }
  return {
    ...profile,
    interests: decay.prune(interests),
    businessInterests: prunedBusinesses,
    interestsAt: new Date(atMs),
    totalEvents,
    eventsBySource,
    eventsByBusiness,
    lastSeenAt: new Date(atMs),
    version: profile.version + 1,
  };
}

function addScores(into: Record<string, number>, scores: Record<string, number>): void {
  for (const [key, value] of Object.entries(scores)) into[key] = (into[key] ?? 0) + value;
}
