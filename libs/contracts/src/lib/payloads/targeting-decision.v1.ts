import { ContractType } from '../validation/contract-type';
import {
  IsArray,
  IsBoolean,
  IsDefined,
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
import { CURRENCY_CODE, IDENTIFIER, PERSON_ID, PRICING_CATEGORIES, type PricingCategoryName, SEALED_CONTACT } from './common';

export const DECISION_OUTCOMES = ['send', 'suppress'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/** Why a decision went the way it did. New reasons may be added; none is ever renamed. */
export const DECISION_REASONS = [
  'relevant',
  'no_marketing_consent',
  'not_relevant',
  'budget_exhausted',
  'campaign_not_running',
  'no_contact',
  /** In the campaign's holdout group (deterministic per campaign and person): measured, never sent. */
  'holdout',
  /** The person reached a frequency cap (per business or across businesses). */
  'frequency_capped',
  /** It is quiet hours in the person's time zone; the person may be evaluated again later. */
  'quiet_hours',
  /** Another campaign with a higher expected value took the person's only free slot. */
  'outcompeted',
  /** WhatsApp reported the person's number unreachable (131026) a short while ago; evaluated again later. */
  'unreachable',
  /** The business's campaigns are paused (131048, spam rate limit); evaluated again once resumed. */
  'business_paused',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/**
 * Kinds of signals a factor can come from: `first_party` (engagement with the business's own pages),
 * `cross_app` (engagement combined across apps, under `cross_app_profiling` consent), `messaging`
 * (how the person responded to earlier WhatsApp messages), `context` (time, fatigue, the model's prior).
 */
export const SIGNAL_KINDS = ['first_party', 'cross_app', 'messaging', 'context'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** One factor of an explanation: its name, the value seen, and what it contributed. */
export class ExplanationFactorV1 {
  @Matches(/^[a-z][a-z0-9_.]*$/)
  name: string;

  @IsNumber()
  value: number;

  @IsNumber()
  contribution: number;

  /** The kind of signal the factor came from (see `SIGNAL_KINDS`). */
  @IsOptional()
  @IsIn(SIGNAL_KINDS)
  kind?: SignalKind;
}

export class DecisionExplanationV1 {
  /** One sentence a person can read. */
  @IsString()
  @MaxLength(500)
  summary: string;

  @IsArray()
  @ValidateNested({ each: true })
  @ContractType(() => ExplanationFactorV1)
  factors: ExplanationFactorV1[];

  /** The consents the decision relied on, e.g. `whatsapp_marketing:acme`, `cross_app_profiling`. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  consentBasis?: string[];

  /** Whether the person is in the campaign's holdout group (decided by a hash, recorded). */
  @IsOptional()
  @IsBoolean()
  holdout?: boolean;
}

/** A template message ready to send: only present when `outcome` is `send`. */
export class TemplateSendV1 {
  @Matches(/^\d{1,32}$/)
  phoneNumberId: string;

  @Matches(SEALED_CONTACT)
  contact: string;

  @Matches(/^[a-z0-9_]{1,512}$/)
  templateName: string;

  @Matches(/^[a-z]{2,3}(_[A-Z]{2})?$/)
  language: string;

  @IsArray()
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  bodyParameters: string[];
}

/**
 * What a send is expected to cost at the rate card in force (revision 2 of the decision, optional:
 * a reader that ignores it is unaffected). Only on sends; Meta bills only delivered messages, so the
 * billed cost comes later, from the status webhooks (`MessageStatusV1.pricing`).
 */
export class EstimatedCostV1 {
  /** Millionths of `currency` (an integer: 0.0625 USD is 62500). */
  @IsInt()
  @Min(0)
  micros: number;

  @Matches(CURRENCY_CODE)
  currency: string;

  @IsIn(PRICING_CATEGORIES)
  category: PricingCategoryName;

  /** The recipient's market on the card (`germany`, `rest_of_western_europe`, `other`...). */
  @Matches(/^[a-z][a-z0-9_]{0,63}$/)
  market: string;

  @Matches(/^[a-z0-9][a-z0-9._-]{0,99}$/)
  rateCardVersion: string;
}

/** `targeting.decisions.v1`, keyed by personId: the decision for one person and one campaign. */
export class TargetingDecisionV1 {
  /** Stable for a (campaign, person) pair, so re-evaluating can never produce a second message. */
  @Matches(IDENTIFIER)
  decisionId: string;

  @Matches(IDENTIFIER)
  campaignId: string;

  @Matches(IDENTIFIER)
  businessId: string;

  @Matches(PERSON_ID)
  personId: string;

  @IsIn(DECISION_OUTCOMES)
  outcome: DecisionOutcome;

  @IsIn(DECISION_REASONS)
  reason: DecisionReason;

  /** Relevance in 0..1. */
  @IsNumber()
  @Min(0)
  @Max(1)
  score: number;

  @Matches(/^[a-z0-9][a-z0-9._-]*$/)
  modelVersion: string;

  @ValidateNested()
  @ContractType(() => DecisionExplanationV1)
  explanation: DecisionExplanationV1;

  @IsISO8601({ strict: true })
  decidedAt: string;

  /** When the event that triggered this decision happened, for end-to-end latency. */
  @IsOptional()
  @IsISO8601({ strict: true })
  triggeredByEventAt?: string;

  /** Revision 2: the send's expected price (present on sends decided since; absent on suppressions). */
  @IsOptional()
  @ValidateNested()
  @ContractType(() => EstimatedCostV1)
  estimatedCost?: EstimatedCostV1;

  @ValidateIf((decision: TargetingDecisionV1) => decision.outcome === 'send')
  @IsDefined({ message: 'send is required when outcome is send' })
  @ValidateNested()
  @ContractType(() => TemplateSendV1)
  send?: TemplateSendV1;
}
