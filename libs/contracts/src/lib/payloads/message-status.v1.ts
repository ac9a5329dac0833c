import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IDENTIFIER, PERSON_ID } from './common';

export const MESSAGE_STATUSES = ['accepted', 'sent', 'delivered', 'read', 'failed', 'rejected'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** `whatsapp.message-status.v1`, keyed by personId: one step in the life of a message. */
export class MessageStatusV1 {
  @Matches(IDENTIFIER)
  decisionId: string;

  @IsOptional()
  @Matches(IDENTIFIER)
  campaignId?: string;

  @Matches(IDENTIFIER)
  businessId: string;

  @Matches(PERSON_ID)
  personId: string;

  /** Meta's message id, once Meta accepted the message. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  wamid?: string;

  /** `accepted`: Meta took the request; `sent`/`delivered`/`read`/`failed`: from Meta's webhook; `rejected`: Meta refused it. */
  @IsIn(MESSAGE_STATUSES)
  status: MessageStatus;

  /** Meta's error code for `failed` and `rejected`. */
  @IsOptional()
  @IsInt()
  errorCode?: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  errorTitle?: string;

  @IsISO8601({ strict: true })
  occurredAt: string;

  @IsIn(['dispatcher', 'webhook'])
  reportedBy: 'dispatcher' | 'webhook';
}
