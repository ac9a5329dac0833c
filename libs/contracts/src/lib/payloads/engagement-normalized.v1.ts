import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO31661Alpha2,
  IsISO4217CurrencyCode,
  IsISO8601,
  IsNumber,
  IsOptional,
  Matches,
  Min,
} from 'class-validator';
import {
  CATEGORY_SLUG,
  ENGAGEMENT_SOURCES,
  ENGAGEMENT_TYPES,
  IDENTIFIER,
  KIND_FIELD,
  MAX_CATEGORIES,
  PERSON_ID,
  SEALED_CONTACT,
  type EngagementSource,
  type EngagementType,
} from './common';

/**
 * `internal.engagement.normalized.v1`: an accepted engagement event. The phone is gone:
 * `personId` identifies the person and `contact` seals the E.164 number for the dispatcher (since
 * contract 1.3, the business-scoped user id when the event named the person by it alone).
 */
export class EngagementNormalizedV1 {
  /** `source:eventId`, the deduplication key. */
  @Matches(/^(facebook|instagram):.+$/)
  dedupeKey: string;

  @Matches(PERSON_ID)
  personId: string;

  @Matches(SEALED_CONTACT)
  contact: string;

  @IsIn(ENGAGEMENT_SOURCES)
  source: EngagementSource;

  @IsIn(ENGAGEMENT_TYPES, { context: KIND_FIELD })
  type: EngagementType;

  @IsISO8601({ strict: true })
  occurredAt: string;

  @IsArray()
  @ArrayMaxSize(MAX_CATEGORIES)
  @Matches(CATEGORY_SLUG, { each: true })
  categories: string[];

  @IsOptional()
  @Matches(IDENTIFIER)
  businessId?: string;

  @IsOptional()
  @Matches(IDENTIFIER)
  contentId?: string;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  value?: number;

  @IsOptional()
  @IsISO4217CurrencyCode()
  currency?: string;

  /** Country of the number, from its calling code (not the producer's hint). */
  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;

  @IsISO8601({ strict: true })
  ingestedAt: string;
}
