import { type DayBucket, type ProfileState } from '@wt/profile-model';
import { ENGAGEMENT_TYPES, type EngagementNormalizedV1 } from '@wt/contracts';
import { addBuckets, dayBucketsOf, dayOf, recomputeFromBuckets, retentionCutoff } from './day-buckets';
import { InterestDecay } from './interest-decay';
import { applyEngagement, emptyProfile } from './profile-state';

const decay = new InterestDecay(24 * 7);
const PERSON = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

/** Deterministic pseudo-random events over 40 days (mulberry32, so failures reproduce). */
function events(count: number, seed = 7): EngagementNormalizedV1[] {
  let state = seed;
  // mulberry32
  const next = (n: number) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
  const start = Date.parse('2026-10-20T00:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(start + next(40 * 24 * 60) * 60_000).toISOString();
    const business = ['acme', 'nova', undefined][next(3)];
    return {
      dedupeKey: `facebook:${i}`,
      personId: next(4) === 0 ? OTHER : PERSON,
      contact: 'v1.a.b.c',
      source: next(2) ? 'facebook' : 'instagram',
      type: ENGAGEMENT_TYPES[next(ENGAGEMENT_TYPES.length)],
      occurredAt: at,
      categories: [['shoes', 'wine', 'books'][next(3)]],
      country: 'FR',
      ingestedAt: at,
      ...(business ? { businessId: business } : {}),
    };
  });
}

/** The day buckets of several batches, added together the way the upsert does. */
function merged(batches: EngagementNormalizedV1[][]): DayBucket[] {
  const byKey = new Map<string, DayBucket>();
  for (const bucket of batches.flatMap((batch) => dayBucketsOf(batch, decay))) {
    const key = `${bucket.personId}|${bucket.day}`;
    const held = byKey.get(key);
    byKey.set(key, held ? addBuckets(held, bucket) : bucket);
  }
  return [...byKey.values()];
}

function expectSameSignals(actual: ProfileState, expected: ProfileState): void {
  expect(actual.totalEvents).toBe(expected.totalEvents);
  expect(actual.eventsBySource).toEqual(expected.eventsBySource);
  expect(actual.eventsByBusiness).toEqual(expected.eventsByBusiness);
  expect(actual.lastSeenAt).toEqual(expected.lastSeenAt);
  expect(actual.interestsAt).toEqual(expected.interestsAt);
  expect(Object.keys(actual.interests).sort()).toEqual(Object.keys(expected.interests).sort());
  for (const [category, score] of Object.entries(expected.interests)) expect(actual.interests[category]).toBeCloseTo(score, 5);
  expect(Object.keys(actual.businessInterests).sort()).toEqual(Object.keys(expected.businessInterests).sort());
  for (const [business, scores] of Object.entries(expected.businessInterests)) {
    for (const [category, score] of Object.entries(scores)) expect(actual.businessInterests[business][category]).toBeCloseTo(score, 5);
  }
}

describe('retention day buckets', () => {
  it('cut off at the UTC day of now minus the window: that day still counts, earlier ones do not', () => {
    expect(retentionCutoff(new Date('2026-11-29T04:00:00Z'), 30)).toEqual({
      day: '2026-10-30',
      startsAt: new Date('2026-10-30T00:00:00Z'),
    });
    expect(retentionCutoff(new Date('2026-11-29T23:59:59Z'), 1)).toEqual({ day: '2026-11-28', startsAt: new Date('2026-11-28T00:00:00Z') });
    expect(dayOf(Date.parse('2026-11-28T23:59:59.999Z'))).toBe('2026-11-28');
  });

  it('hold every event once, per person and UTC day, whatever the batching', () => {
    const all = events(300);
    const whole = merged([all]);
    const inBatches = merged([all.slice(0, 70), all.slice(70, 71), all.slice(71, 250), all.slice(250)]);
    expect(whole.reduce((n, b) => n + b.totalEvents, 0)).toBe(300);
    expect(inBatches.map((b) => `${b.personId}|${b.day}|${b.totalEvents}`).sort()).toEqual(
      whole.map((b) => `${b.personId}|${b.day}|${b.totalEvents}`).sort(),
    );
    for (const bucket of whole) expect(dayOf(bucket.lastSeenAt.getTime())).toBe(bucket.day);
  });

  it('add two contributions to one day key by key, without changing either', () => {
    const day = '2026-11-28';
    const a: DayBucket = {
      personId: PERSON,
      day,
      interests: { shoes: 1, wine: 2 },
      businessInterests: { acme: { shoes: 1 } },
      eventsBySource: { facebook: 2 },
      eventsByBusiness: { acme: 1 },
      totalEvents: 2,
      lastSeenAt: new Date('2026-11-28T10:00:00Z'),
    };
    const b: DayBucket = {
      personId: PERSON,
      day,
      interests: { shoes: 0.5 },
      businessInterests: { acme: { wine: 3 }, nova: { books: 1 } },
      eventsBySource: { instagram: 1 },
      eventsByBusiness: { nova: 1 },
      totalEvents: 1,
      lastSeenAt: new Date('2026-11-28T09:00:00Z'),
    };
    const copy = structuredClone([a, b]);
    expect(addBuckets(a, b)).toEqual({
      personId: PERSON,
      day,
      interests: { shoes: 1.5, wine: 2 },
      businessInterests: { acme: { shoes: 1, wine: 3 }, nova: { books: 1 } },
      eventsBySource: { facebook: 2, instagram: 1 },
      eventsByBusiness: { acme: 1, nova: 1 },
      totalEvents: 3,
      lastSeenAt: new Date('2026-11-28T10:00:00Z'),
    });
    expect([a, b]).toEqual(copy);
  });

  it('add up to the profile the events give: all of them, or only the days left after a purge', () => {
    const all = events(400);
    const batches = [all.slice(0, 123), all.slice(123, 300), all.slice(300)];
    const buckets = merged(batches);
    const mine = (list: EngagementNormalizedV1[]) => list.filter((e) => e.personId === PERSON);
    let incremental = emptyProfile(PERSON);
    for (const batch of batches) incremental = applyEngagement(incremental, mine(batch), decay);

    // Nothing purged: the days give back the profile built batch by batch.
    expectSameSignals(recomputeFromBuckets(incremental, buckets, decay), incremental);

    // Days before the cutoff purged: the profile equals one built from the events left only.
    const cutoff = retentionCutoff(new Date('2026-11-29T10:00:00Z'), 20);
    const left = buckets.filter((b) => b.day >= cutoff.day);
    const kept = mine(all).filter((e) => Date.parse(e.occurredAt) >= cutoff.startsAt.getTime());
    expect(kept.length).toBeGreaterThan(50);
    expect(kept.length).toBeLessThan(mine(all).length);
    const purged = recomputeFromBuckets(incremental, left, decay);
    expectSameSignals(purged, applyEngagement(emptyProfile(PERSON), kept, decay));
    expect(purged.version).toBe(incremental.version + 1);
    expect(purged.contact).toBe(incremental.contact);
    expect(purged.country).toBe('FR');
  });

  it('leave a profile without signals when every day is purged, keeping what is not a signal', () => {
    const profile = {
      ...applyEngagement(
        emptyProfile(PERSON),
        events(20).map((e) => ({ ...e, personId: PERSON })),
        decay,
      ),
      serviceWindows: { '123': '2026-11-30T00:00:00.000Z' },
    };
    const emptied = recomputeFromBuckets(profile, [], decay);
    expect(emptied).toMatchObject({
      interests: {},
      businessInterests: {},
      totalEvents: 0,
      eventsBySource: {},
      eventsByBusiness: {},
      lastSeenAt: null,
      interestsAt: null,
    });
    expect(emptied).toMatchObject({
      contact: profile.contact,
      country: profile.country,
      timeZone: profile.timeZone,
      serviceWindows: profile.serviceWindows,
      version: profile.version + 1,
    });
  });
});
