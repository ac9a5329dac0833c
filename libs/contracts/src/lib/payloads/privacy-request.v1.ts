import {
  IsIn,
  IsISO8601,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { IDENTIFIER, PERSON_ID } from './common';

export const PRIVACY_REQUEST_TYPES = ['erasure', 'export'] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

/**
 * `privacy.requests.v1`: a GDPR request from a person, named by exactly one of:
 * - `phone` (any common form), as businesses and support teams send it;
 * - `personId` (since contract 1.2): the platform's pseudonym, as the platform's own services send
 *   it for a person they know (the assistant's "delete my data"), including a WhatsApp user who
 *   shares no number and is known only by a business-scoped user id.
 */
export class PrivacyRequestV1 {
  @Matches(IDENTIFIER)
  requestId: string;

  /** Absent when `personId` names the person. */
  @ValidateIf((request: PrivacyRequestV1) => request.phone !== undefined || request.personId === undefined)
  @IsString()
  @MinLength(3)
  @MaxLength(32)
  @ValidateBy({
    name: 'namesThePersonOnce',
    validator: {
      validate: (_value, args) => (args?.object as PrivacyRequestV1 | undefined)?.personId === undefined,
      defaultMessage: () => 'name the person with exactly one of phone, personId',
    },
  })
  phone?: string;

  @IsOptional()
  @Matches(PERSON_ID, { message: 'personId must be 64 lower-case hex characters' })
  personId?: string;

  @IsIn(PRIVACY_REQUEST_TYPES)
  type: PrivacyRequestType;

  @IsISO8601({ strict: true, strictSeparator: true })
  requestedAt: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;
}
