import { IsInt, IsISO31661Alpha2, IsNumber, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { DatabaseEnv, withKeyVault } from '@wt/config';

/** Profiles owns the key vault's schema (its migration Job runs it) and deletes a person's keys on erasure. */
export class ProfilesConfig extends withKeyVault(DatabaseEnv) {
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

  /**
   * Retention window (issue 3, point 10): a UTC day's engagement counts until the whole day is older
   * than this many days, then the purge removes it and recomputes the person's profile without it;
   * older events arriving late are dead-lettered (`timestamp_too_old`). Same value as ingest's
   * MAX_EVENT_AGE_DAYS.
   */
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_DAYS: number = 30;

  /** How often each replica tries the retention purge (only the one holding the Postgres advisory lock runs it); 0: never (a CronJob runs it). */
  @IsInt()
  @Min(0)
  @Max(7 * 86_400)
  RETENTION_PURGE_INTERVAL_SECONDS: number = 3_600;

  /** People per purge transaction (their expired days deleted, profiles recomputed, snapshots published). */
  @IsInt()
  @Min(1)
  @Max(10_000)
  RETENTION_PURGE_BATCH: number = 500;

  /** How long the broker waits for a silent consumer before giving its partitions to another (ms). */
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  KAFKA_SESSION_TIMEOUT_MS: number = 30_000;

  /** Upper bound of one fetch per partition: bounds a batch (and so a transaction). */
  @IsInt()
  @Min(16_384)
  KAFKA_MAX_BYTES_PER_PARTITION: number = 1_048_576;

  /**
   * Most distinct people one transaction touches: a larger batch is written as several transactions
   * (each takes an advisory lock per person; see people-chunks.ts). Postgres's lock table must hold
   * this many per concurrent handler call of every replica (max_locks_per_transaction).
   */
  @IsInt()
  @Min(1)
  @Max(10_000)
  MAX_PEOPLE_PER_TRANSACTION: number = 1_000;

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
