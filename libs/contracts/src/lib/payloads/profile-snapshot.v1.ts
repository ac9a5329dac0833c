import { ContractType } from '../validation/contract-type';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { IDENTIFIER, PERSON_ID, SEALED_CONTACT } from './common';

export class ProfileConsentsV1 {
  /** Businesses the person allowed to send WhatsApp marketing. */
  @IsArray()
  @Matches(IDENTIFIER, { each: true })
  whatsappMarketing: string[];

  /** Whether signals from several apps may be combined for this person. */
  @IsBoolean()
  crossAppProfiling: boolean;
}

export class ProfileActivityV1 {
  @IsInt()
  @Min(0)
  totalEvents: number;

  @IsObject()
  eventsBySource: Record<string, number>;

  @IsOptional()
  @IsISO8601({ strict: true })
  lastSeenAt?: string;

  /** Businesses engaged with, and how often. */
  @IsObject()
  eventsByBusiness: Record<string, number>;
}

/** Engagement types by what they say: passive (views, saves, follows), social (likes, comments, shares), commercial (clicks, purchases). */
export const ENGAGEMENT_KINDS = ['passive', 'social', 'commercial'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];

/**
 * Behaviour signals beyond interests (issue 16), decayed like `interests` unless said otherwise.
 * Purpose-bound as `interests`: they combine apps, so they are empty when `signalBasis` is
 * `first_party_only` (only `firstPartyPurchases` may serve then, each for its own business).
 */
export class ProfileSignalsV1 {
  /** Category slug to decayed purchases (any business, any app), at `updatedAt`. */
  @IsObject()
  purchases: Record<string, number>;

  /** Engagement kind (`ENGAGEMENT_KINDS`) to decayed event count, at `updatedAt`. */
  @IsObject()
  engagementMix: Partial<Record<EngagementKind, number>>;

  /** Category slug to interest with the short half-life `recentHalfLifeHours` (short-term intent), at `updatedAt`. */
  @IsObject()
  recentInterests: Record<string, number>;

  @IsNumber()
  @Min(0)
  recentHalfLifeHours: number;
}

/**
 * Which signals a profile's `interests` were built from (issue 3, point 9: features are purpose-bound).
 * - `cross_app`: the person granted `cross_app_profiling`; Facebook and Instagram signals from any
 *   page may be combined, so `interests` holds all of them and may be used for any business.
 * - `first_party_only`: no `cross_app_profiling` grant (never given, or revoked); `interests` is
 *   empty and only `firstPartyInterests[businessId]` (the person's engagement with that business's
 *   own pages) may be used, and only for that business.
 */
export const SIGNAL_BASES = ['cross_app', 'first_party_only'] as const;
export type SignalBasis = (typeof SIGNAL_BASES)[number];

/**
 * `internal.profile.snapshots.v1`, compacted, keyed by personId: the latest profile of a person.
 * `interests` are decayed scores at `updatedAt`; consumers decay further with `interestHalfLifeHours`.
 * The purpose-bound feature rule is already applied: read interests for a business through
 * `usableInterests(snapshot, businessId)` and nothing can be used that consent does not allow.
 */
export class ProfileSnapshotV1 {
  @Matches(PERSON_ID)
  personId: string;

  /** Increases with every change of the profile; consumers ignore older versions. */
  @IsInt()
  @Min(1)
  version: number;

  @IsISO8601({ strict: true })
  updatedAt: string;

  @IsOptional()
  @Matches(SEALED_CONTACT)
  contact?: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;

  /** IANA time zone inferred from the number, e.g. `Europe/Paris`. */
  @IsOptional()
  @IsString()
  timeZone?: string;

  /**
   * Category slug to decayed score at `updatedAt`, from the signals that may be used for any
   * business: all of them when `signalBasis` is `cross_app`, none (`{}`) when `first_party_only`.
   */
  @IsObject()
  interests: Record<string, number>;

  /** Whether cross-app signals are in `interests`; follows the current `cross_app_profiling` consent. */
  @IsIn(SIGNAL_BASES)
  signalBasis: SignalBasis;

  /**
   * businessId → category slug → decayed score at `updatedAt`, from the person's engagement with
   * that business's own pages only (first-party). Always present whatever the consent, and usable
   * only for campaigns of that same business.
   */
  @IsObject()
  firstPartyInterests: Record<string, Record<string, number>>;

  /**
   * End of the WhatsApp customer-service window (24 h after the person's last inbound message to any
   * of the businesses' numbers); absent if the person never wrote. Per number in `serviceWindows`.
   */
  @IsOptional()
  @IsISO8601({ strict: true })
  serviceWindowOpenUntil?: string;

  /** Business phoneNumberId → end of the customer-service window with that number (ISO 8601). */
  @IsOptional()
  @IsObject()
  serviceWindows?: Record<string, string>;

  @IsNumber()
  @Min(0)
  interestHalfLifeHours: number;

  @ValidateNested()
  @ContractType(() => ProfileConsentsV1)
  consents: ProfileConsentsV1;

  @ValidateNested()
  @ContractType(() => ProfileActivityV1)
  activity: ProfileActivityV1;

  /** Behaviour signals (purchases, engagement mix, short-term intent); absent from older snapshots. */
  @IsOptional()
  @ValidateNested()
  @ContractType(() => ProfileSignalsV1)
  signals?: ProfileSignalsV1;

  /**
   * businessId → decayed purchases from that business (first-party: usable for that business's
   * campaigns whatever the consent); absent from older snapshots.
   */
  @IsOptional()
  @IsObject()
  firstPartyPurchases?: Record<string, number>;
}

/**
 * The interests a campaign of `businessId` may use for this person: the purpose-bound feature rule
 * in one place. With `cross_app` every signal counts; otherwise only that business's first-party ones.
 */
export function usableInterests(
  snapshot: Pick<ProfileSnapshotV1, 'signalBasis' | 'interests' | 'firstPartyInterests'>,
  businessId: string,
): Record<string, number> {
  if (snapshot.signalBasis === 'cross_app') return snapshot.interests;
  return snapshot.firstPartyInterests[businessId] ?? {};
}

/**
 * WhatsApp's customer-service window: after a person writes to a business number, free-form
 * (non-template) messages from that number may reach them for this long (`serviceWindows` above).
 */
export const SERVICE_WINDOW_MS = 24 * 3_600_000;

/** Whether the window opened by the person's last message (at `lastInboundAt`, ms) is still open at `now` (ms). */
export function isServiceWindowOpen(lastInboundAt: number, now: number): boolean {
  return now < lastInboundAt + SERVICE_WINDOW_MS;
}
