import { IsNumber, Matches, Max, Min } from 'class-validator';
import { DatabaseEnv } from '@wt/config';

export class AssistantConfig extends DatabaseEnv {
  override PORT: number = 3006;

  /** Opens the sealed contact to put the number in consent.v1 and privacy.requests.v1 payloads. */
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'CONTACT_KEY must be 32 bytes, base64-encoded' })
  CONTACT_KEY: string;

  /** Below this confidence (0..1) the assistant hands the conversation over instead of answering. */
  @IsNumber()
  @Min(0)
  @Max(1)
  ANSWER_CONFIDENCE_THRESHOLD: number = 0.5;
}
