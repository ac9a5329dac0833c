import { IsInt, Min } from 'class-validator';
import { DatabaseEnv } from '@wt/config';

export class ScoringConfig extends DatabaseEnv {
  override PORT: number = 3003;

  /** How long the list of running campaigns is reused before it is read again. */
  @IsInt()
  @Min(0)
  CAMPAIGN_CACHE_MS: number = 1000;
}
