import { IsIn, IsISO8601, IsString, Matches, MaxLength, MinLength, ValidateIf, IsOptional, IsISO31661Alpha2 } from 'class-validator';
import {
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  DECLARABLE_CONSENT_CHANNELS,
  IDENTIFIER,
  type ConsentPurpose,
  type ConsentStatus,
  type DeclarableConsentChannel,
} from './common';

/** `consent.v1`: a person granted or revoked a purpose. */
export class ConsentEventV1 {
  @IsString()
  @MinLength(3)
  @MaxLength(32)
  phone: string;

  /** `whatsapp_marketing` is per business; `cross_app_profiling` is platform-wide. */
  @IsIn(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  /** Required for `whatsapp_marketing`, absent for `cross_app_profiling`. */
  @ValidateIf((event: ConsentEventV1) => event.purpose === 'whatsapp_marketing' || event.businessId !== undefined)
  @Matches(IDENTIFIER, { message: 'businessId is required for whatsapp_marketing and must be an identifier' })
  businessId?: string;

  @IsIn(CONSENT_STATUSES)
  status: ConsentStatus;

  @IsISO8601({ strict: true, strictSeparator: true })
  occurredAt: string;

  /** Where consent was collected, e.g. `web-form`, `whatsapp-reply`, `store`. */
  @Matches(IDENTIFIER)
  source: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;

  /**
   * Attribution declared by a producer on `consent.v1` (Kafka does not tell a consumer who
   * produced a record): how the change was asserted, `kafka_producer` when absent. Over HTTP it is
   * ignored: ingest sets `http_api` and the API key's identity.
   */
  @IsOptional()
  @IsIn(DECLARABLE_CONSENT_CHANNELS)
  assertedVia?: DeclarableConsentChannel;

  /** Who asserts it, declared by the producer (its service or team, e.g. `dispatcher`); `unidentified` when absent. */
  @IsOptional()
  @Matches(IDENTIFIER)
  assertedBy?: string;
}
