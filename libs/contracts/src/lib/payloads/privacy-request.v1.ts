import { IsIn, IsISO8601, IsISO31661Alpha2, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IDENTIFIER } from './common';

export const PRIVACY_REQUEST_TYPES = ['erasure', 'export'] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

/** `privacy.requests.v1`: a GDPR request from a person. */
export class PrivacyRequestV1 {
  @Matches(IDENTIFIER)
  requestId: string;

  @IsString()
  @MinLength(3)
  @MaxLength(32)
  phone: string;

  @IsIn(PRIVACY_REQUEST_TYPES)
  type: PrivacyRequestType;

  @IsISO8601({ strict: true, strictSeparator: true })
  requestedAt: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;
}
