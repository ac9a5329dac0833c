import { IsISO8601, Matches } from 'class-validator';
import { IDENTIFIER, PERSON_ID } from './common';

/**
 * `internal.privacy.erasures.v1`, keyed by personId: profiles erased everything it held about this
 * person (profile, consents, dedupe entries, sealed number) and keeps only a suppression record.
 * Every service holding data keyed by this personId must delete it, and must never message the person.
 */
export class PrivacyErasureV1 {
  @Matches(PERSON_ID)
  personId: string;

  @Matches(IDENTIFIER)
  requestId: string;

  @IsISO8601({ strict: true })
  erasedAt: string;
}
