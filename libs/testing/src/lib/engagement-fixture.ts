import { type EngagementNormalizedV1 } from '@wt/contracts';

/**
 * A valid normalized engagement (a Facebook like on shoes) whose dedupe key and content id are
 * `<id>`: distinct per test run and event. The contact is a sealed value's shape, not a number.
 */
export function normalizedEngagement(id: string, personId = 'a'.repeat(64)): EngagementNormalizedV1 {
  return {
    dedupeKey: `facebook:${id}`,
    personId,
    contact: 'v1.aaaa.bbbb.cccc',
    source: 'facebook',
    type: 'like',
    occurredAt: '2026-11-28T10:00:00.000Z',
    categories: ['shoes'],
    contentId: id,
    ingestedAt: '2026-11-28T10:00:01.000Z',
  };
}
