import { ContractType } from '../validation/contract-type';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO31661Alpha2,
  IsISO4217CurrencyCode,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import {
  BSUID,
  CATEGORY_SLUG,
  ENGAGEMENT_SOURCES,
  ENGAGEMENT_TYPES,
  IDENTIFIER,
  KIND_FIELD,
  MAX_CATEGORIES,
  type EngagementSource,
  type EngagementType,
} from './common';

/** `social.engagement.v1`: what a person did on Facebook or Instagram. */
export class EngagementEventV1 {
  /** Unique per producer (`source`): a replay of the same id is a duplicate. */
  @Matches(IDENTIFIER, { message: 'eventId must be 1-128 printable characters without spaces' })
  eventId: string;

  @IsIn(ENGAGEMENT_SOURCES)
  source: EngagementSource;

  @IsIn(ENGAGEMENT_TYPES, { context: KIND_FIELD })
  type: EngagementType;

  /**
   * Any common written form; E.164 (`+33612345678`) preferred. National forms need `country`.
   * Optional since contract 1.3 when `bsuid` names the person.
   */
  @ValidateIf((event: EngagementEventV1) => event.phone !== undefined || event.bsuid === undefined)
  @IsString()
  @MinLength(3)
  @MaxLength(32)
  phone?: string;

  /**
   * Since contract 1.3: the person's WhatsApp business-scoped user id (`CC.<alphanumerics>`), for a
   * WhatsApp user known to the business without a number, or with it (then both are linked to one
   * person). At least one of `phone` and `bsuid` is given.
   */
  @IsOptional()
  @Matches(BSUID, { message: 'bsuid must be a business-scoped user id: CC.<1-128 letters or digits>' })
  bsuid?: string;

  @IsISO8601({ strict: true, strictSeparator: true })
  occurredAt: string;

  /** Interest slugs of the content engaged with; may be empty. */
  @IsArray()
  @ArrayMaxSize(MAX_CATEGORIES)
  @Matches(CATEGORY_SLUG, { each: true, message: 'each category must be a lower-case slug' })
  @MaxLength(64, { each: true })
  categories: string[];

  @IsOptional()
  @Matches(IDENTIFIER)
  businessId?: string;

  @IsOptional()
  @Matches(IDENTIFIER)
  contentId?: string;

  /** Purchase amount in `currency`. */
  @IsOptional()
  @ContractType(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  value?: number;

  @IsOptional()
  @IsISO4217CurrencyCode()
  currency?: string;

  /** ISO 3166 alpha-2 hint for numbers written in national format. */
  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;
}
