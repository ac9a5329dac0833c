import { IntersectionType, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { CAMPAIGN_STATUSES, CampaignV1, IDENTIFIER, type CampaignStatus } from '@wt/contracts';
import { IsIn, IsOptional, Matches } from 'class-validator';

/**
 * The bodies of the campaign API are `CampaignV1` itself, less what the service sets: every limit
 * of the contract (budget, dates, text) is checked at the HTTP door exactly as on `campaigns.v1`,
 * from one definition. (Each class also declares one field of its own: the OpenAPI document is
 * built from the classes that have validation metadata of their own.)
 */

/** `POST /v1/campaigns`: the business comes from the API key, never from the body. */
export class CreateCampaignDto extends IntersectionType(
  OmitType(CampaignV1, ['campaignId', 'businessId', 'status', 'minRelevance', 'updatedAt'] as const),
  PartialType(PickType(CampaignV1, ['status', 'minRelevance'] as const)),
) {
  /** Optional; generated when absent. */
  @IsOptional()
  @Matches(IDENTIFIER)
  campaignId?: string;
}

/** `PATCH /v1/campaigns/{id}`: any of these; the rest stays. */
export class UpdateCampaignDto extends PartialType(OmitType(CampaignV1, ['campaignId', 'businessId', 'status', 'updatedAt'] as const)) {
  /** `active` starts the campaign (its launch); `ended` is final. */
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;
}
