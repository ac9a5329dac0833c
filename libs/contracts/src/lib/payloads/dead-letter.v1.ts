import { IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';

/**
 * Why a message was refused. A producer can act on each. `oversized`: its value is over
 * MAX_RECORD_BYTES; `processing_failed`: the consumer failed on it alone (e.g. the database refused
 * a value), the others of its batch were applied; `null_value`: a null value (tombstone) on a topic
 * where a tombstone means nothing (see TOPICS_WITH_TOMBSTONES); `state_conflict`: valid, but it
 * contradicts what the consumer holds (a campaign budget below what it already spent, a campaign
 * id that belongs to another business); replayed as it is, it is refused again.
 */
export const DEAD_LETTER_REASONS = [
  'malformed_json',
  'schema_violation',
  'invalid_phone',
  'unknown_type',
  'timestamp_in_future',
  'timestamp_too_old',
  'oversized',
  'processing_failed',
  'null_value',
  'state_conflict',
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

  /**
   * The original record value in clear (base64). Empty in every dead letter written since they are
   * sealed (`sealedPayload`); older ones may still hold it until the topic's retention drops them.
   */
  @IsString()
  payloadBase64: string;

  /**
   * The original value and headers, sealed (AES-256-GCM, `v2.<keyOwner>.<keyVersion>.…`, see
   * DeadLetterSealer in @wt/kafka): under the person's key from the key vault when the record names
   * a person (erasing them makes it unreadable), else under the day's dead-letter key (destroyed
   * after DEAD_LETTER_KEY_DAYS). Absent when the service holds no key vault: the payload is then
   * withheld, and stays only on its origin topic (originTopic, originPartition, originOffset).
   */
  @IsOptional()
  @IsString()
  sealedPayload?: string;

  /** Size of the original value in bytes (0 for a null value). */
  @IsOptional()
  @IsInt()
  @Min(0)
  payloadBytes?: number;

  /** SHA-256 (hex) of the original value, whole even when truncated. */
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/)
  payloadSha256?: string;

  /** True when only the first MAX_RECORD_BYTES of the value are kept (an oversized record): not replayable. */
  @IsOptional()
  @IsBoolean()
  payloadTruncated?: boolean;

  /**
   * The original headers that carry no data (trace context, schema tag, HTTP route); every header
   * is inside `sealedPayload`.
   */
  @IsObject()
  headers: Record<string, string>;

  @IsISO8601({ strict: true })
  failedAt: string;
}
