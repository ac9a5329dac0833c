import { IsNumber, IsString, Matches, Max, Min, MinLength } from 'class-validator';
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

  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'CONTACT_KEY must be 32 bytes, base64-encoded' })
  CONTACT_KEY: string;
}
