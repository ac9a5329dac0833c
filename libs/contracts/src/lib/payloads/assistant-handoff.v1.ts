import { IsBoolean, IsIn, IsISO8601, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IDENTIFIER, PERSON_ID, SEALED_CONTACT } from './common';

/** Why the assistant handed a conversation over to a person. New reasons may be added, none renamed. */
export const HANDOFF_REASONS = [
  /** The best answer of the business's knowledge base was below the confidence threshold. */
  'low_confidence',
  /** The person asked for a human. */
  'requested',
  /** The message was not text (image, audio, ...): the bot cannot read it. */
  'unsupported_message',
  /** The conversation is with a person of the business (handed over, not given back yet): the bot does not answer, it passes the message on. */
  'with_agent',
] as const;
export type HandoffReason = (typeof HANDOFF_REASONS)[number];

export const ASSISTANT_LANGUAGES = ['en', 'fr'] as const;
export type AssistantLanguage = (typeof ASSISTANT_LANGUAGES)[number];

/**
 * `assistant.handoffs.v1`, keyed by personId: the customer-service assistant could not (or must not)
 * answer a person, and a person of the business should take over the conversation.
 */
export class AssistantHandoffV1 {
  /** Stable per inbound message, so a redelivered message does not open a second handoff. */
  @Matches(IDENTIFIER)
  handoffId: string;

  @Matches(IDENTIFIER)
  businessId: string;

  @Matches(PERSON_ID)
  personId: string;

  /** Sealed E.164 number, for whoever answers through the dispatcher. */
  @Matches(SEALED_CONTACT)
  contact: string;

  /** The business phone number the person wrote to. */
  @Matches(/^\d{1,32}$/)
  phoneNumberId: string;

  @IsIn(HANDOFF_REASONS)
  reason: HandoffReason;

  /** The person's message, as written. */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  text?: string;

  /** The language the assistant detected (and replied in). */
  @IsIn(ASSISTANT_LANGUAGES)
  language: AssistantLanguage;

  /** Confidence of the best knowledge-base answer, 0..1 (0 when none matched). */
  @IsNumber()
  @Min(0)
  @Max(1)
  confidence: number;

  /** The best (rejected) knowledge-base entry, if any. */
  @IsOptional()
  @Matches(IDENTIFIER)
  bestEntryId?: string;

  /** The inbound message that caused the handoff. */
  @IsString()
  @MaxLength(256)
  inReplyToWamid: string;

  /** Whether the person was told a person will answer (false when outside the 24 h window). */
  @IsOptional()
  @IsBoolean()
  personNotified?: boolean;

  @IsISO8601({ strict: true })
  requestedAt: string;
}
