import { IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IDENTIFIER, PERSON_ID, SEALED_CONTACT } from './common';

/**
 * `internal.assistant.replies.v1`, keyed by personId: a free-form text reply the assistant asks the
 * dispatcher to send inside the person's 24-hour customer-service window. Sent at most once per
 * `replyId`; outside the window Meta refuses it (131047) and it is never retried as free-form.
 */
export class AssistantReplyV1 {
  /** Idempotency key: the same replyId is never sent twice. */
  @Matches(IDENTIFIER)
  replyId: string;

  @Matches(IDENTIFIER)
  businessId: string;

  @Matches(PERSON_ID)
  personId: string;

  @Matches(SEALED_CONTACT)
  contact: string;

  /** The business phone number the person wrote to. */
  @Matches(/^\d{1,32}$/)
  phoneNumberId: string;

  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  text: string;

  /** The inbound message this answers, if any. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  inReplyToWamid?: string;

  @IsISO8601({ strict: true })
  requestedAt: string;
}
