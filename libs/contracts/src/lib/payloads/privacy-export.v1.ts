import { IsISO8601, IsObject, Matches } from 'class-validator';
import { IDENTIFIER, PERSON_ID } from './common';

/**
 * `internal.privacy.exports.v1`, keyed by requestId: everything profiles holds about a person, as
 * JSON, for the team answering a GDPR access request. The phone number itself is never in it (the
 * requester already knows it); `data.contactHeld` says whether an encrypted copy is kept.
 */
export class PrivacyExportV1 {
  @Matches(IDENTIFIER)
  requestId: string;

  @Matches(PERSON_ID)
  personId: string;

  @IsISO8601({ strict: true })
  exportedAt: string;

  @IsObject()
  data: Record<string, unknown>;
}
