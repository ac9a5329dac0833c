import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ASSISTANT_LANGUAGES, type AssistantLanguage } from '@wt/contracts';

/** A question and its answer, as a business teaches it (POST and PUT /v1/knowledge). */
export class KnowledgeEntryDto {
  @IsIn(ASSISTANT_LANGUAGES)
  language: AssistantLanguage;

  @IsString()
  @MinLength(2)
  @MaxLength(500)
  question: string;

  /** Other ways people ask the same thing. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  variants?: string[];

  /** Sent as is: the assistant never writes text of its own. */
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  answer: string;
}

/** POST /v1/knowledge/ask: what the assistant would answer to a message. */
export class AskDto {
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  text: string;
}

export interface KnowledgeEntryView {
  id: string;
  language: AssistantLanguage;
  question: string;
  variants: string[];
  answer: string;
  createdAt: string;
  updatedAt: string;
}
