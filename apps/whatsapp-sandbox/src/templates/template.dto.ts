import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ContractType } from '@wt/contracts';

export class TemplateComponentDefinitionDto {
  @IsIn(['HEADER', 'BODY', 'FOOTER', 'BUTTONS'])
  type: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  text?: string;
}

/** Meta's create-template body (`POST /{waba-id}/message_templates`), the parts the sandbox uses. */
export class CreateTemplateDto {
  @Matches(/^[a-z0-9_]{1,512}$/, { message: 'must be lowercase letters, digits and underscores' })
  name: string;

  @Matches(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, { message: 'must be a language code like en or en_US' })
  language: string;

  @IsIn(['MARKETING', 'UTILITY', 'AUTHENTICATION'])
  category: string;

  @IsArray()
  @ValidateNested({ each: true })
  @ContractType(() => TemplateComponentDefinitionDto)
  components: TemplateComponentDefinitionDto[];

  /**
   * Time-to-live of the template's messages (Meta's "Configure message time-to-live"): marketing
   * 43,200 to 2,592,000 s (honoured by the Marketing Messages API only) or -1 for 30 days; utility
   * 30 to 43,200; authentication 30 to 900. Checked against the category when the template is created.
   */
  @IsOptional()
  @IsInt()
  message_send_ttl_seconds?: number;

  /** Sandbox-only: interest categories the template is about (drives simulated reactions). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  sandbox_categories?: string[];
}
