import { IsInt, IsNumber, IsString, Max, Min } from 'class-validator';
import { DatabaseEnv, withKeyVault } from '@wt/config';
import { ANSWER_CALIBRATION } from './retrieval/knowledge-index';

/** The key vault opens the sealed contact to put the number in consent.v1 and privacy.requests.v1 payloads. */
export class AssistantConfig extends withKeyVault(DatabaseEnv) {
  override PORT: number = 3006;

  /** Below this confidence (0..1) the assistant hands the conversation over instead of answering (calibrated on the development set: docs/assistant.md). */
  @IsNumber()
  @Min(0)
  @Max(1)
  ANSWER_CONFIDENCE_THRESHOLD: number = ANSWER_CALIBRATION.threshold;

  /** The answer must also be this far (0..1) ahead of the best entry asking something else, or the conversation is handed over. */
  @IsNumber()
  @Min(0)
  @Max(1)
  ANSWER_MARGIN: number = ANSWER_CALIBRATION.margin;

  /** The sentence-embedding model (ONNX file), fetched by `node tools/stack/embedding-model.mjs path`; empty: match by words only. */
  @IsString()
  EMBEDDING_MODEL: string = '';

  /** The model's tokenizer.json, beside it in the cache. */
  @IsString()
  EMBEDDING_TOKENIZER: string = '';

  /** An erasure request waits for its confirmation to leave (its first status) at most this long (ms), then goes anyway. */
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  ERASURE_CONFIRMATION_WAIT_MS: number = 60_000;

  /** How often (ms) erasure requests whose wait is over are released. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  ERASURE_RELEASE_INTERVAL_MS: number = 5_000;
}
