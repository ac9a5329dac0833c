import { Body, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { BusinessApiController, BusinessId } from '@wt/business-auth';
import { type CampaignV1 } from '@wt/contracts';
import { ApiAnswer, ApiErrors, schemaRef } from '@wt/runtime';
import { CreateCampaignDto, UpdateCampaignDto } from './campaign.dto';
import { CampaignService } from './campaign.service';
import { type StoredCampaign } from './campaign.store';

export type CampaignView = CampaignV1 & { spent: number; spentMoney?: number };

const view = (stored: StoredCampaign): CampaignView => ({
  ...stored.campaign,
  spent: stored.spent,
  ...(stored.campaign.budgetMoney ? { spentMoney: stored.spentMicros / 1e6 } : {}),
});

/** OpenAPI shape of a CampaignView. */
const CAMPAIGN_VIEW = {
  allOf: [
    schemaRef('CampaignV1'),
    {
      type: 'object',
      properties: {
        spent: { type: 'integer', minimum: 0, description: 'Messages already granted from the budget' },
        spentMoney: {
          type: 'number',
          minimum: 0,
          description: 'Estimated cost of the messages granted, in budgetMoney.currency (with a money budget)',
        },
      },
      required: ['spent'],
    },
  ],
};

/**
 * The businesses' campaign API, over CampaignService (which stores each change with its
 * `campaigns.v1` record in one transaction, then publishes it): a GET right after a POST sees it. A
 * business only ever sees its own campaigns: any other id is 404, whether it exists or not.
 */
@BusinessApiController('v1/campaigns', 'campaigns')
export class CampaignController {
  constructor(private readonly campaigns: CampaignService) {}

  @Post()
  @HttpCode(201)
  @ApiAnswer(201, 'Created and published on campaigns.v1', CAMPAIGN_VIEW)
  @ApiErrors({
    409: 'The campaignId is taken (the same answer whoever took it)',
    422: 'The campaign breaks a rule of campaigns.v1 (e.g. endsAt before startsAt)',
  })
  async create(@BusinessId() businessId: string, @Body() dto: CreateCampaignDto): Promise<CampaignView> {
    return view(await this.campaigns.create(businessId, dto));
  }

  @Get()
  @ApiAnswer(200, "The calling business's campaigns", { type: 'array', items: CAMPAIGN_VIEW })
  async list(@BusinessId() businessId: string): Promise<CampaignView[]> {
    return (await this.campaigns.list(businessId)).map(view);
  }

  @Get(':campaignId')
  @ApiAnswer(200, 'The campaign', CAMPAIGN_VIEW)
  @ApiErrors({ 404: 'No such campaign of this business' })
  async get(@BusinessId() businessId: string, @Param('campaignId') campaignId: string): Promise<CampaignView> {
    return view(await this.campaigns.own(businessId, campaignId));
  }

  @Patch(':campaignId')
  @ApiAnswer(200, 'Changed and published on campaigns.v1', CAMPAIGN_VIEW)
  @ApiErrors({
    404: 'No such campaign of this business',
    409: 'The campaign has ended, or the budget would go below what is already spent',
    422: 'The changed campaign breaks a rule of campaigns.v1 with its stored fields (e.g. endsAt before the stored startsAt)',
  })
  async update(
    @BusinessId() businessId: string,
    @Param('campaignId') campaignId: string,
    @Body() dto: UpdateCampaignDto,
  ): Promise<CampaignView> {
    return view(await this.campaigns.update(businessId, campaignId, dto));
  }
}
