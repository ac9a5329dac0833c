import { IsNumber, Max, Min } from 'class-validator';
import { DatabaseEnv, withKeyVault } from '@wt/config';

/** The key vault opens the sealed contact to put the number in consent.v1 and privacy.requests.v1 payloads. */
export class AssistantConfig extends withKeyVault(DatabaseEnv) {
  override PORT: number = 3006;

  /** Below this confidence (0..1) the assistant hands the conversation over instead of answering. */
  @IsNumber()
  @Min(0)
  @Max(1)
  ANSWER_CONFIDENCE_THRESHOLD: number = 0.5;
}
