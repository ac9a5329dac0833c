import { IsIn, IsISO8601, Matches } from 'class-validator';
import { PERSON_ID } from './common';

/** What tied the two people together: the business-scoped user id (or its parent id) seen with a number. */
export const PERSON_MERGE_VIA = ['bsuid', 'parent_bsuid'] as const;

/**
 * `internal.identity.merges.v1`, keyed by `intoPersonId`: a person known only by a business-scoped
 * user id (`fromPersonId`) turned out to be the person of a number (`intoPersonId`), because a webhook
 * carried both. Everything held under `fromPersonId` moves to `intoPersonId` (consents, profile,
 * dispatches); no consent is widened by it (a revocation on either side wins). Idempotent.
 */
export class PersonMergeV1 {
  @Matches(PERSON_ID)
  fromPersonId: string;

  @Matches(PERSON_ID)
  intoPersonId: string;

  @IsIn(PERSON_MERGE_VIA)
  via: (typeof PERSON_MERGE_VIA)[number];

  @IsISO8601({ strict: true })
  mergedAt: string;
}
