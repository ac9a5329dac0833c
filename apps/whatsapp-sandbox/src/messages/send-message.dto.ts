import {
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ContractType } from '@wt/contracts';

/**
 * What the sandbox checks of a send request body. Meta accepts more message types than
 * `template` and `text`; the platform sends only these two.
 */

const PARAMETER_TYPES = ['text', 'currency', 'date_time', 'image', 'document', 'video', 'payload'] as const;

export class TemplateParameterDto {
  @IsIn(PARAMETER_TYPES)
  type: string;

  @ValidateIf((parameter: TemplateParameterDto) => parameter.type === 'text')
  @IsString()
  @IsNotEmpty()
  @MaxLength(32768)
  text?: string;

  @ValidateIf((parameter: TemplateParameterDto) => parameter.type === 'payload')
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  payload?: string;
}

export class TemplateComponentDto {
  @IsIn(['header', 'body', 'button'])
  type: string;

  @ValidateIf((component: TemplateComponentDto) => component.type === 'button')
  @IsIn(['quick_reply', 'url', 'copy_code'])
  sub_type?: string;

  @ValidateIf((component: TemplateComponentDto) => component.type === 'button')
  @Matches(/^\d{1,2}$/, { message: 'must be the position of the button (0 to 9)' })
  @ContractType(() => String)
  index?: string;

  @ValidateIf((component: TemplateComponentDto) => component.type === 'button' || component.parameters !== undefined)
  @IsArray()
  @ValidateNested({ each: true })
  @ContractType(() => TemplateParameterDto)
  parameters?: TemplateParameterDto[];
}

export class TemplateLanguageDto {
  @IsString()
  @Matches(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, { message: 'must be a language code like en or en_US' })
  code: string;
}

export class TemplateDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  name: string;

  @IsObject()
  @ValidateNested()
  @ContractType(() => TemplateLanguageDto)
  language: TemplateLanguageDto;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @ContractType(() => TemplateComponentDto)
  components?: TemplateComponentDto[];
}

export class TextDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  body: string;

  @IsOptional()
  @IsBoolean()
  preview_url?: boolean;
}

export class SendMessageDto {
  @IsIn(['whatsapp'])
  messaging_product: string;

  @IsOptional()
  @IsIn(['individual'])
  recipient_type?: string;

  /** The recipient's number; required unless `recipient` names them. */
  @ValidateIf((message: SendMessageDto) => message.to !== undefined || message.recipient === undefined)
  @IsString()
  @Matches(/^\+?\d{8,15}$/, {
    message: 'must be a phone number: 8 to 15 digits, optionally after a +',
  })
  to?: string;

  /** Since 2026: the recipient's business-scoped user id (or parent id), for a user whose number is not known. `to` wins when both are given. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/, {
    message: 'must be a business-scoped user id: a country code, a dot and up to 128 letters or digits',
  })
  recipient?: string;

  @IsIn(['template', 'text'])
  type: string;

  @ValidateIf((message: SendMessageDto) => message.type === 'template')
  @IsObject()
  @ValidateNested()
  @ContractType(() => TemplateDto)
  template?: TemplateDto;

  @ValidateIf((message: SendMessageDto) => message.type === 'text')
  @IsObject()
  @ValidateNested()
  @ContractType(() => TextDto)
  text?: TextDto;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  biz_opaque_callback_data?: string;
}
