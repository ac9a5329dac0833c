import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CATEGORY_SLUG, IDENTIFIER } from './common';

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Where one template parameter's text comes from. */
export class TemplateParameterV1 {
  /** `literal`: `value` as is; `campaign`: a campaign field; `profile`: a profile field (e.g. `topInterest`). */
  @IsIn(['literal', 'campaign', 'profile'])
  from: 'literal' | 'campaign' | 'profile';

  @IsString()
  @MaxLength(1024)
  value: string;
}

/** A WhatsApp message template approved by Meta for the business's account. */
export class CampaignTemplateV1 {
  @Matches(/^[a-z0-9_]{1,512}$/, { message: 'template name must be lower-case letters, digits and _' })
  name: string;

  /** Meta language code, e.g. `en_US`, `fr`. */
  @Matches(/^[a-z]{2,3}(_[A-Z]{2})?$/)
  language: string;

  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => TemplateParameterV1)
  bodyParameters: TemplateParameterV1[];
}

/** `campaigns.v1`, compacted, keyed by campaignId: the latest state of a campaign. */
export class CampaignV1 {
  @Matches(IDENTIFIER)
  campaignId: string;

  @Matches(IDENTIFIER)
  businessId: string;

  @IsString()
  @MaxLength(200)
  name: string;

  @IsIn(CAMPAIGN_STATUSES)
  status: CampaignStatus;

  /** The business's WhatsApp phone number id that sends the messages. */
  @Matches(/^\d{1,32}$/)
  phoneNumberId: string;

  @ValidateNested()
  @Type(() => CampaignTemplateV1)
  template: CampaignTemplateV1;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @Matches(CATEGORY_SLUG, { each: true })
  targetCategories: string[];

  /** Least relevance (0..1) worth a message. */
  @IsNumber()
  @Min(0)
  @Max(1)
  minRelevance: number;

  /** Maximum number of messages the campaign may send. */
  @IsInt()
  @Min(1)
  budgetMessages: number;

  @IsISO8601({ strict: true })
  startsAt: string;

  @ValidateIf((campaign: CampaignV1) => campaign.endsAt !== undefined)
  @IsISO8601({ strict: true })
  endsAt?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  maxMessagesPerPersonPerWeek?: number;

  /** Share of the audience (0..0.5) held out for uplift: decided by a hash, never sent. Default 0. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(0.5)
  holdoutShare?: number;

  @IsISO8601({ strict: true })
  updatedAt: string;
}
