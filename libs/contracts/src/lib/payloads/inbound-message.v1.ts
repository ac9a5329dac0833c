import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PERSON_ID, SEALED_CONTACT } from './common';

/** `whatsapp.inbound.v1`, keyed by personId: something a person wrote to a business. */
export class InboundMessageV1 {
  /** Meta's id of the inbound message (unique: a redelivered webhook has the same id). */
  @IsString()
  @MaxLength(256)
  wamid: string;

  @Matches(PERSON_ID)
  personId: string;

  @Matches(SEALED_CONTACT)
  contact: string;

  /** The business phone number the person wrote to. */
  @Matches(/^\d{1,32}$/)
  phoneNumberId: string;

  @IsIn(['text', 'button', 'interactive', 'other'])
  kind: 'text' | 'button' | 'interactive' | 'other';

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  text?: string;

  /** The message this one replies to, if any. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  inReplyToWamid?: string;

  @IsISO8601({ strict: true })
  receivedAt: string;
}
