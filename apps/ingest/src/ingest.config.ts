import { IsInt, IsISO31661Alpha2, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { DatabaseEnv, withKeyVault } from '@wt/config';

/** Ingest's own database holds the API keys of its HTTP doors (business and producer keys). */
export class IngestConfig extends withKeyVault(DatabaseEnv) {
  override PORT: number = 3001;

  /** Key of the HMAC that turns a phone number into a personId. Same value in every service. */
  @IsString()
  @MinLength(32)
  PSEUDONYM_SECRET: string;

  /** Region for numbers in national format without a `country` hint. */
  @IsOptional()
  @IsISO31661Alpha2()
  DEFAULT_REGION?: string;

  /** Events older than this are refused (past the retention window). */
  @IsInt()
  @Min(1)
  @Max(3650)
  MAX_EVENT_AGE_DAYS: number = 30;

  /** Events dated further in the future than this are refused (clock skew tolerance). */
  @IsInt()
  @Min(0)
  MAX_FUTURE_SKEW_SECONDS: number = 300;

  /** Most events (or consents) in one HTTP request. */
  @IsInt()
  @Min(1)
  @Max(1000)
  HTTP_MAX_BATCH: number = 1000;

  /** Largest single event, as JSON, accepted over HTTP (larger ones are rejected as `oversized`). */
  @IsInt()
  @Min(256)
  HTTP_MAX_EVENT_BYTES: number = 16_384;

  /** Largest HTTP body (Express body-parser syntax); larger requests get 413. */
  @Matches(/^\d+(kb|mb)$/)
  HTTP_BODY_LIMIT: string = '2mb';

  /**
   * Requests one API key may make on the HTTP doors per `HTTP_RATE_LIMIT_WINDOW_SECONDS`, per
   * replica (in memory); over it the answer is 429 with `Retry-After`.
   */
  @IsInt()
  @Min(1)
  HTTP_RATE_LIMIT_PER_KEY: number = 600;

  /** The window of `HTTP_RATE_LIMIT_PER_KEY`, in seconds. */
  @IsInt()
  @Min(1)
  @Max(3600)
  HTTP_RATE_LIMIT_WINDOW_SECONDS: number = 60;
}
