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
} from 'class-validator';
import {
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

  /** Any common written form; E.164 (`+33612345678`) preferred. National forms need `country`. */
  @IsString()
  @MinLength(3)
  @MaxLength(32)
  phone: string;

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
