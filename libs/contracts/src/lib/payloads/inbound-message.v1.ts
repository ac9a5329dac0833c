import { ContractType } from '../validation/contract-type';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IDENTIFIER, PERSON_ID, SEALED_CONTACT } from './common';

/** The click-to-WhatsApp ad a message came from (Meta's `referral`, on the first message after the click). */
export class AdReferralV1 {
  /** Meta's click id (`ctwa_clid`): what the Conversions API attributes a purchase to. Absent for Status ads. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  ctwaClid?: string;

  /** `ad` or `post`. */
  @IsString()
  @MaxLength(32)
  sourceType: string;

  /** The ad's id. */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  sourceId?: string;
}

/** The platform's message a reply or a button tap answers (resolved from `inReplyToWamid`). */
export class RepliedMessageV1 {
  @Matches(IDENTIFIER)
  decisionId: string;

  @IsOptional()
  @Matches(IDENTIFIER)
  campaignId?: string;
}

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

  /** Revision 2: the payload of the tapped quick-reply button (`kind` `button`), as the template defined it. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  buttonPayload?: string;

  /** Revision 2: the platform's message this answers, when `inReplyToWamid` is one of ours. */
  @IsOptional()
  @ValidateNested()
  @ContractType(() => RepliedMessageV1)
  repliesTo?: RepliedMessageV1;

  /** Revision 2: the click-to-WhatsApp ad the person came from. */
  @IsOptional()
  @ValidateNested()
  @ContractType(() => AdReferralV1)
  referral?: AdReferralV1;
}
