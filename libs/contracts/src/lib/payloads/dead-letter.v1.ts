import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';

/** Why a message was refused. A producer can act on each. */
export const DEAD_LETTER_REASONS = [
  'malformed_json',
  'schema_violation',
  'invalid_phone',
  'unknown_type',
  'timestamp_in_future',
  'timestamp_too_old',
  'oversized',
  'processing_failed',
  /** The person was erased: the record was not applied (profiles). */
  'erased_person',
  /** A WhatsApp webhook status for a message this platform has no record of (dispatcher). */
  'unmatched_status',
  /** A WhatsApp webhook event for a business number no campaign names (dispatcher). */
  'unknown_business_number',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** `platform.dead-letter.v1`: a message a service refused, with everything needed to replay it. */
export class DeadLetterV1 {
  @IsIn(DEAD_LETTER_REASONS)
  reason: DeadLetterReason;

  /** Which fields failed and how, e.g. `phone: not a valid number for FR`. */
  @IsString()
  @MaxLength(2000)
  detail: string;

  /** Where it came from: topic, partition and offset, or `http` for the HTTP door. */
  @IsString()
  originTopic: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  originPartition?: number;

  @IsOptional()
  @IsString()
  originOffset?: string;

  /** The consuming service that refused it. */
  @Matches(/^[a-z][a-z0-9-]*$/)
  service: string;

  /** The original record value, byte for byte (base64), so a replay is exact. */
  @IsString()
  payloadBase64: string;

  /** The original headers (values as utf-8 strings). */
  @IsObject()
  headers: Record<string, string>;

  @IsISO8601({ strict: true })
  failedAt: string;
}
