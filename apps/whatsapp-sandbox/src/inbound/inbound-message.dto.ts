import { IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { ContractType } from '@wt/contracts';

export class InboundButtonDto {
  /** The button's label. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  text: string;

  /** The quick-reply payload the template defined; the label if absent. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  payload?: string;
}

/** The click-to-WhatsApp ad a person comes from (the first message after the tap carries it). */
export class InboundReferralDto {
  /** The ad's id; `sandbox-ad` if absent. */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  sourceId?: string;

  /** Meta's click id; generated if absent. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  ctwaClid?: string;
}

/** Body of `POST /sandbox/inbound`: a person writes to a business (text) or taps a template button. */
export class InboundMessageDto {
  /** The writer's number; or `fromUserId` for one known by business-scoped user id. */
  @ValidateIf((dto: InboundMessageDto) => dto.from !== undefined || dto.fromUserId === undefined)
  @Matches(/^\+?\d{8,15}$/, {
    message: 'from must be a phone number: 8 to 15 digits, optionally after a +',
  })
  from?: string;

  /** The writer's business-scoped user id (a user registered at `POST /sandbox/users`, or any the sandbox gave out). */
  @IsOptional()
  @Matches(/^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/, { message: 'fromUserId must be a business-scoped user id' })
  fromUserId?: string;

  @Matches(/^\d{1,32}$/, { message: 'phoneNumberId must be digits' })
  phoneNumberId: string;

  @ValidateIf((dto: InboundMessageDto) => dto.button === undefined)
  @IsString()
  @IsNotEmpty({ message: 'text or button is required' })
  @MaxLength(4096)
  text?: string;

  @ValidateIf((dto: InboundMessageDto) => dto.text === undefined)
  @IsObject({ message: 'button or text is required' })
  @ValidateNested()
  @ContractType(() => InboundButtonDto)
  button?: InboundButtonDto;

  /** Profile name in the webhook's `contacts`. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;

  /** The message comes from a click-to-WhatsApp ad: Meta's `referral` (with a `ctwa_clid`) is added. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @ContractType(() => InboundReferralDto)
  referral?: InboundReferralDto;

  /** The wamid this message answers; for a button, the latest message to this person by default. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  contextMessageId?: string;
}
