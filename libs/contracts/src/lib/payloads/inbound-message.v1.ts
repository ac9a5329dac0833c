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

  /**
   * Where to reach the person, sealed under their key: their number, or (since contract 1.2, see
   * `contactKind`) the business-scoped user id of a WhatsApp user who shares no number.
   */
  @Matches(SEALED_CONTACT)
  contact: string;

  /** What `contact` holds (since contract 1.2): `phone` when absent, as every record before it. */
  @IsOptional()
  @IsIn(['phone', 'bsuid'])
  contactKind?: 'phone' | 'bsuid';

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
