import { ContractType } from '../validation/contract-type';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
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
import { CATEGORY_SLUG, CURRENCY_CODE, IDENTIFIER, TEMPLATE_CATEGORIES, type TemplateCategory } from './common';
import { IsAfterField, IsInstantWithin, IsStorableText } from './storable';

/**
 * Limits of a campaign, checked wherever one enters (the HTTP API and `campaigns.v1`), so that a
 * valid campaign is one the database and the decision logic hold as it is.
 *
 * Budgets are counted in int4 columns (at most 2,147,483,647); the business maximum sits far below,
 * so that what is spent can never overflow either.
 */
export const MAX_CAMPAIGN_BUDGET_MESSAGES = 100_000_000;
/** A campaign may ask for fewer messages per person and week than the platform's cap, never absurdly many. */
export const MAX_CAMPAIGN_MESSAGES_PER_PERSON_PER_WEEK = 100;
/** How far ahead a campaign may be planned: `startsAt` and `endsAt` at most this many days from now. */
export const CAMPAIGN_HORIZON_DAYS = 366;
/** How far `updatedAt` may be ahead of the reader's clock (producers' clock skew). */
export const CAMPAIGN_CLOCK_SKEW_MS = 5 * 60_000;
/** No campaign date is earlier than this. */
export const EARLIEST_CAMPAIGN_DATE = '2000-01-01T00:00:00Z';
export const MAX_CAMPAIGN_NAME_LENGTH = 200;

const CAMPAIGN_DATE = { notBefore: EARLIEST_CAMPAIGN_DATE, maxAheadMs: CAMPAIGN_HORIZON_DAYS * 86_400_000 };

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Most a money budget may be, in currency units (amounts are kept in millionths: bigint columns). */
export const MAX_CAMPAIGN_BUDGET_AMOUNT = 1_000_000_000;

/**
 * A money budget (added in contract revision 2; optional, so earlier producers and readers are
 * unaffected): the campaign never spends more than `amount` of `currency` at the rate card's
 * estimated prices. The currency must be one the platform's rate card is in (USD by default).
 */
export class MoneyBudgetV1 {
  /** Up to six decimals (millionths), more than 0 and at most `MAX_CAMPAIGN_BUDGET_AMOUNT`. */
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 6 })
  @Min(0.000001)
  @Max(MAX_CAMPAIGN_BUDGET_AMOUNT)
  amount: number;

  @Matches(CURRENCY_CODE, { message: 'currency must be an ISO 4217 code, e.g. USD' })
  currency: string;
}

/** Where one template parameter's text comes from. */
export class TemplateParameterV1 {
  /** `literal`: `value` as is; `campaign`: a campaign field; `profile`: a profile field (e.g. `topInterest`). */
  @IsIn(['literal', 'campaign', 'profile'])
  from: 'literal' | 'campaign' | 'profile';

  @IsString()
  @IsStorableText()
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
  @ContractType(() => TemplateParameterV1)
  bodyParameters: TemplateParameterV1[];

  /**
   * The template's category as Meta approved it, which prices each message (revision 2; absent:
   * `marketing`, what campaign templates are).
   */
  @IsOptional()
  @IsIn(TEMPLATE_CATEGORIES)
  category?: TemplateCategory;
}

/** `campaigns.v1`, compacted, keyed by campaignId: the latest state of a campaign. */
export class CampaignV1 {
  @Matches(IDENTIFIER)
  campaignId: string;

  @Matches(IDENTIFIER)
  businessId: string;

  @IsString()
  @IsStorableText()
  @MaxLength(MAX_CAMPAIGN_NAME_LENGTH)
  name: string;

  @IsIn(CAMPAIGN_STATUSES)
  status: CampaignStatus;

  /** The business's WhatsApp phone number id that sends the messages. */
  @Matches(/^\d{1,32}$/)
  phoneNumberId: string;

  @ValidateNested()
  @ContractType(() => CampaignTemplateV1)
  template: CampaignTemplateV1;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @MaxLength(100, { each: true })
  @Matches(CATEGORY_SLUG, { each: true })
  targetCategories: string[];

  /** Least relevance (0..1) worth a message. */
  @IsNumber()
  @Min(0)
  @Max(1)
  minRelevance: number;

  /** Maximum number of messages the campaign may send (1 to `MAX_CAMPAIGN_BUDGET_MESSAGES`). */
  @IsInt()
  @Min(1)
  @Max(MAX_CAMPAIGN_BUDGET_MESSAGES)
  budgetMessages: number;

  /** Most the campaign may spend (revision 2; optional): never exceeded, as `budgetMessages` is not. */
  @IsOptional()
  @ValidateNested()
  @ContractType(() => MoneyBudgetV1)
  budgetMoney?: MoneyBudgetV1;

  /** A date-time with an offset, at most `CAMPAIGN_HORIZON_DAYS` from now. */
  @IsInstantWithin(CAMPAIGN_DATE)
  startsAt: string;

  /** After `startsAt`, at most `CAMPAIGN_HORIZON_DAYS` from now. */
  @ValidateIf((campaign: CampaignV1) => campaign.endsAt !== undefined)
  @IsInstantWithin(CAMPAIGN_DATE)
  @IsAfterField('startsAt')
  endsAt?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CAMPAIGN_MESSAGES_PER_PERSON_PER_WEEK)
  maxMessagesPerPersonPerWeek?: number;

  /** Share of the audience (0..0.5) held out for uplift: decided by a hash, never sent. Default 0. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(0.5)
  holdoutShare?: number;

  /** When this state was made; a reader keeps, per campaign, the state with the latest. */
  @IsInstantWithin({ notBefore: EARLIEST_CAMPAIGN_DATE, maxAheadMs: CAMPAIGN_CLOCK_SKEW_MS })
  updatedAt: string;
}
