import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CAMPAIGN_STATUSES, CampaignTemplateV1, CATEGORY_SLUG, IDENTIFIER, type CampaignStatus } from '@wt/contracts';

/** `POST /v1/campaigns`: the business comes from the API key, never from the body. */
export class CreateCampaignDto {
  /** Optional; generated when absent. */
  @IsOptional()
  @Matches(IDENTIFIER)
  campaignId?: string;

  @IsString()
  @MaxLength(200)
  name: string;

  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;

  @Matches(/^\d{1,32}$/)
  phoneNumberId: string;

  @ValidateNested()
  @Type(() => CampaignTemplateV1)
  template: CampaignTemplateV1;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @Matches(CATEGORY_SLUG, { each: true })
  targetCategories: string[];

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  minRelevance?: number;

  @IsInt()
  @Min(1)
  budgetMessages: number;

  @IsISO8601({ strict: true })
  startsAt: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  endsAt?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  maxMessagesPerPersonPerWeek?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(0.5)
  holdoutShare?: number;
}

/** `PATCH /v1/campaigns/{id}`: any of these; the rest stays. */
export class UpdateCampaignDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;

  @IsOptional()
  @ValidateNested()
  @Type(() => CampaignTemplateV1)
  template?: CampaignTemplateV1;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @Matches(CATEGORY_SLUG, { each: true })
  targetCategories?: string[];

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  minRelevance?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  budgetMessages?: number;

  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  endsAt?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  maxMessagesPerPersonPerWeek?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(0.5)
  holdoutShare?: number;
}
