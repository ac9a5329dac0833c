import { IsInt, IsISO31661Alpha2, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { DatabaseEnv } from '@wt/config';

export class ProfilesConfig extends DatabaseEnv {
  override PORT: number = 3002;

  /** Interests lose half their weight after this many hours without new engagement. */
  @IsNumber()
  @Min(1)
  @Max(24 * 365)
  INTEREST_HALF_LIFE_HOURS: number = 24 * 14;

  /** Same value as in ingest; profiles pseudonymizes the numbers of privacy requests. */
  @IsString()
  @MinLength(32)
  PSEUDONYM_SECRET: string;

  /** How long the broker waits for a silent consumer before giving its partitions to another (ms). */
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  KAFKA_SESSION_TIMEOUT_MS: number = 30_000;

  /** Upper bound of one fetch per partition: bounds a batch (and so a transaction). */
  @IsInt()
  @Min(16_384)
  KAFKA_MAX_BYTES_PER_PARTITION: number = 1_048_576;

  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'CONTACT_KEY must be 32 bytes, base64-encoded' })
  CONTACT_KEY: string;

  /** Same value as in ingest: region for numbers in national format without a `country` hint. */
  @IsOptional()
  @IsISO31661Alpha2()
  DEFAULT_REGION?: string;

  /**
   * Bearer token of the operations routes (`/v1/profiles/...`: view, export, erasure). At least 32
   * characters; when unset those routes refuse every call (401).
   */
  @IsOptional()
  @IsString()
  @MinLength(32)
  OPERATIONS_TOKEN?: string;
}
