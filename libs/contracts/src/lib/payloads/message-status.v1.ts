import { ContractType } from '../validation/contract-type';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { CURRENCY_CODE, IDENTIFIER, PERSON_ID, PRICING_CATEGORIES, type PricingCategoryName } from './common';

/**
 * What Meta bills for a message, from the `pricing` object of its `sent`/`delivered` status webhook
 * (revision 2, optional), priced at the rate card in force: `micros` is 0 when Meta says it is not
 * billable (free customer-service or free entry point).
 */
export class MessagePricingV1 {
  @IsBoolean()
  billable: boolean;

  /** Meta's `pricing_model`: `PMP` (per-message) since 2025-07-01, `CBP` before. */
  @IsIn(['PMP', 'CBP'])
  pricingModel: 'PMP' | 'CBP';

  /** Meta's `category` (marketing_lite and referral_conversion are Meta's own, kept as reported). */
  @IsIn([...PRICING_CATEGORIES, 'marketing_lite', 'referral_conversion'])
  category: PricingCategoryName | 'marketing_lite' | 'referral_conversion';

  /** Meta's `type`: `regular`, `free_customer_service`, `free_entry_point`. */
  @IsOptional()
  @IsIn(['regular', 'free_customer_service', 'free_entry_point'])
  type?: 'regular' | 'free_customer_service' | 'free_entry_point';

  /** Billed amount in millionths of `currency`, at the rate card in force when it was delivered. */
  @IsInt()
  @Min(0)
  micros: number;

  @Matches(CURRENCY_CODE)
  currency: string;

  @Matches(/^[a-z0-9][a-z0-9._-]{0,99}$/)
  rateCardVersion: string;

  /** Since contract 1.3: the rate card's market of the recipient (e.g. `france`, `other`). */
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/)
  market?: string;

  /**
   * Since contract 1.3, on a delivered message of a category the card has volume tiers for: its
   * rank among the messages of its category and market the business portfolio had delivered this
   * calendar month (UTC), 1 for the first; the volume tier it was billed at. Scoring estimates the
   * next sends at the tier this rank reached.
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  monthlyRank?: number;
}

export const MESSAGE_STATUSES = ['accepted', 'sent', 'delivered', 'read', 'failed', 'rejected'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** `whatsapp.message-status.v1`, keyed by personId: one step in the life of a message. */
export class MessageStatusV1 {
  @Matches(IDENTIFIER)
  decisionId: string;

  @IsOptional()
  @Matches(IDENTIFIER)
  campaignId?: string;

  @Matches(IDENTIFIER)
  businessId: string;

  @Matches(PERSON_ID)
  personId: string;

  /** Meta's message id, once Meta accepted the message. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  wamid?: string;

  /** `accepted`: Meta took the request; `sent`/`delivered`/`read`/`failed`: from Meta's webhook; `rejected`: Meta refused it. */
  @IsIn(MESSAGE_STATUSES)
  status: MessageStatus;

  /** Meta's error code for `failed` and `rejected`. */
  @IsOptional()
  @IsInt()
  errorCode?: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  errorTitle?: string;

  @IsISO8601({ strict: true })
  occurredAt: string;

  @IsIn(['dispatcher', 'webhook'])
  reportedBy: 'dispatcher' | 'webhook';

  /** Revision 2: what Meta bills for the message (on the first status that carried `pricing`). */
  @IsOptional()
  @ValidateNested()
  @ContractType(() => MessagePricingV1)
  pricing?: MessagePricingV1;
}
