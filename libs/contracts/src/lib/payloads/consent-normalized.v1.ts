import { IsIn, IsISO31661Alpha2, IsISO8601, IsOptional, Matches, ValidateIf } from 'class-validator';
import {
  API_KEY_ID,
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  IDENTIFIER,
  PERSON_ID,
  SEALED_CONTACT,
  type ConsentChannel,
  type ConsentPurpose,
  type ConsentStatus,
} from './common';

/** `internal.consent.normalized.v1`: an accepted consent change, pseudonymized. */
export class ConsentNormalizedV1 {
  @Matches(PERSON_ID)
  personId: string;

  /**
   * The number sealed under the person's key; absent (since contract 1.1) when the change named the
   * person by `personId` or `sealedContact` rather than by phone (the platform's own revocations).
   */
  @IsOptional()
  @Matches(SEALED_CONTACT)
  contact?: string;

  @IsIn(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @ValidateIf((event: ConsentNormalizedV1) => event.purpose === 'whatsapp_marketing')
  @Matches(IDENTIFIER)
  businessId?: string;

  @IsIn(CONSENT_STATUSES)
  status: ConsentStatus;

  @IsISO8601({ strict: true })
  occurredAt: string;

  @Matches(IDENTIFIER)
  source: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;

  /**
   * Who asserted the change and how, set by ingest (never taken from an HTTP caller): the door and
   * channel, the asserting business or producer, and the API key when it came over HTTP. Absent
   * on changes normalized before attribution existed.
   */
  @IsOptional()
  @IsIn(CONSENT_CHANNELS)
  assertedVia?: ConsentChannel;

  /** The business of the API key (HTTP door), or the producer's declared name, or `unidentified` (Kafka door). */
  @IsOptional()
  @Matches(IDENTIFIER)
  assertedBy?: string;

  /** Id of the API key that asserted it (HTTP door only). */
  @IsOptional()
  @Matches(API_KEY_ID)
  assertedKeyId?: string;
}
