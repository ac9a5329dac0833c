import { IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { DatabaseEnv } from '@wt/config';

export class ScoringConfig extends DatabaseEnv {
  override PORT: number = 3003;

  /** How long the list of running campaigns is reused before it is read again. */
  @IsInt()
  @Min(0)
  CAMPAIGN_CACHE_MS: number = 1000;

  /** Messages one business may send one person in 7 days (a campaign may ask for fewer). */
  @IsInt()
  @Min(1)
  PER_BUSINESS_WEEKLY_CAP: number = 2;

  /** Marketing messages one person may get from all businesses together in 24 hours. */
  @IsInt()
  @Min(1)
  CROSS_BUSINESS_DAILY_CAP: number = 2;

  /** Quiet hours in the recipient's local time, [start, end); equal values turn them off. */
  @IsInt()
  @Min(0)
  @Max(23)
  QUIET_START_HOUR: number = 21;

  @IsInt()
  @Min(0)
  @Max(23)
  QUIET_END_HOUR: number = 8;

  /** Time zone for a person whose number gave none. */
  @IsString()
  DEFAULT_TIME_ZONE: string = 'UTC';

  /** People evaluated per launch batch. */
  @IsInt()
  @Min(1)
  LAUNCH_BATCH_SIZE: number = 500;

  /** How often the launcher looks for campaigns to launch or to sweep again (ms). */
  @IsInt()
  @Min(100)
  LAUNCH_POLL_MS: number = 1000;

  /** Name of the relevance model whose versions this service reads and writes. */
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/)
  RELEVANCE_MODEL: string = 'relevance';

  /** Days after a send during which a purchase, a reply or an opt-out is attributed to it. */
  @IsNumber()
  @Min(0)
  ATTRIBUTION_WINDOW_DAYS: number = 7;

  /** 131026: how long a person counts as unreachable after WhatsApp reported their number so (ms); the dispatcher's default. */
  @IsInt()
  @Min(1)
  UNREACHABLE_FOR_MS: number = 7 * 86_400_000;

  /**
   * A JSON file of rate cards (a list of versions, each with its `effectiveFrom`, currency, markets
   * and source) replacing the shipped one (Meta's USD rates of 2025-07-01, `libs/pricing`); checked at boot.
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  RATE_CARD_FILE?: string;

  /**
   * Days the decisions of an ended campaign are kept after it ended (its explanations, for audits
   * and reports). A running campaign's decisions are never purged: they are what keeps a person
   * from being decided twice for it.
   */
  @IsInt()
  @Min(1)
  @Max(3650)
  DECISION_RETENTION_DAYS: number = 90;

  /** How often each replica runs the decisions' retention purge (one replica at a time); 0: never. */
  @IsInt()
  @Min(0)
  RETENTION_PURGE_INTERVAL_SECONDS: number = 3_600;

  /** Rows deleted per purge transaction. */
  @IsInt()
  @Min(100)
  @Max(100_000)
  RETENTION_PURGE_BATCH: number = 5_000;
}
