import { type EngagementNormalizedV1, type EngagementType } from '@wt/contracts';
import { ENGAGEMENT_WEIGHTS } from '@wt/profile-model';
import { InterestDecay } from './interest-decay';
import { applyEngagement, emptyProfile } from './profile-state';

const decay = new InterestDecay(24);
let n = 0;
function event(
  type: EngagementType,
  occurredAt: string,
  categories = ['shoes'],
  extra: Partial<EngagementNormalizedV1> = {},
): EngagementNormalizedV1 {
  n += 1;
  return {
    dedupeKey: `facebook:${n}`,
    personId: 'p'.repeat(64),
    contact: 'v1.a.b.c',
    source: 'facebook',
    type,
    occurredAt,
    categories,
    country: 'FR',
    ingestedAt: occurredAt,
    ...extra,
  };
}

describe('interest weights', () => {
  it('rank purchase above click above comment above like above view', () => {
    const w = ENGAGEMENT_WEIGHTS;
    expect(w.purchase).toBeGreaterThan(w.click);
    expect(w.click).toBeGreaterThan(w.comment);
    expect(w.comment).toBeGreaterThan(w.like);
    expect(w.like).toBeGreaterThan(w.view);
  });
});

describe('applyEngagement', () => {
  it('halves an interest after one half-life', () => {
    const first = applyEngagement(emptyProfile('p'.repeat(64)), [event('click', '2026-11-01T00:00:00Z')], decay);
    expect(first.interests.shoes).toBeCloseTo(4);
    const later = applyEngagement(first, [event('view', '2026-11-02T00:00:00Z', ['hats'])], decay);
    expect(later.interests.shoes).toBeCloseTo(2);
    expect(later.interests.hats).toBeCloseTo(1);
    expect(later.interestsAt?.toISOString()).toBe('2026-11-02T00:00:00.000Z');
  });

  it('gives the same profile whatever the order or batching of events', () => {
    const events = [
      event('like', '2026-11-01T00:00:00Z', ['a', 'b'], { businessId: 'acme' }),
      event('purchase', '2026-11-03T00:00:00Z', ['a'], { source: 'instagram' }),
      event('view', '2026-11-02T12:00:00Z', ['b']),
    ];
    const all = applyEngagement(emptyProfile('p'.repeat(64)), events, decay);
    let stepwise = emptyProfile('p'.repeat(64));
    for (const e of [events[1], events[0], events[2]]) stepwise = applyEngagement(stepwise, [e], decay);
    expect(stepwise.interests.a).toBeCloseTo(all.interests.a, 6);
    expect(stepwise.interests.b).toBeCloseTo(all.interests.b, 6);
    expect(stepwise.eventsBySource).toEqual({ facebook: 2, instagram: 1 });
    expect(stepwise.eventsByBusiness).toEqual({ acme: 1 });
    expect(stepwise.businessInterests.acme.a).toBeCloseTo(all.businessInterests.acme.a, 6);
    expect(Object.keys(stepwise.businessInterests).filter((k) => !k.startsWith('~'))).toEqual(['acme']);
    expect(stepwise.lastSeenAt?.toISOString()).toBe('2026-11-03T00:00:00.000Z');
    expect(stepwise.timeZone).toBe('Europe/Paris');
  });

  it('counts a version per change', () => {
    const p = applyEngagement(emptyProfile('p'.repeat(64)), [event('view', '2026-11-01T00:00:00Z')], decay);
    expect(applyEngagement(p, [event('view', '2026-11-01T01:00:00Z')], decay).version).toBe(2);
    expect(applyEngagement(p, [], decay)).toBe(p);
  });
});
