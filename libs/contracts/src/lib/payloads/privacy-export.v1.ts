import { IsIn, IsISO8601, IsObject, IsOptional, Matches } from 'class-validator';
import { IDENTIFIER, PERSON_ID } from './common';

/** The services that hold data about a person and answer an export request, each with its own part. */
export const PRIVACY_EXPORT_SOURCES = ['profiles', 'assistant'] as const;
export type PrivacyExportSource = (typeof PRIVACY_EXPORT_SOURCES)[number];

/**
 * `internal.privacy.exports.v1`, keyed by requestId: everything one service holds about a person,
 * as JSON, for the team answering a GDPR access request. Profiles answers the request first (it
 * alone turns the phone number into the personId); every other service that holds personal data
 * answers profiles' part with its own, under the same requestId and personId, so the whole export
 * of a request is every record of the topic with that key. The phone number itself is never in it
 * (the requester already knows it); `data.contactHeld` says whether an encrypted copy is kept.
 */
export class PrivacyExportV1 {
  @Matches(IDENTIFIER)
  requestId: string;

  @Matches(PERSON_ID)
  personId: string;

  @IsISO8601({ strict: true })
  exportedAt: string;

  /** The service whose data this is. Absent (records written before it existed): profiles. */
  @IsOptional()
  @IsIn(PRIVACY_EXPORT_SOURCES)
  source?: PrivacyExportSource;

  @IsObject()
  data: Record<string, unknown>;
}
