import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Patch,
  Post,
  UseGuards,
  UnprocessableEntityException,
} from '@nestjs/common';
import { type CampaignV1, describeViolations, Topic, validatePayload } from '@wt/contracts';
import { KafkaPublisher } from '@wt/kafka';
import { randomUUID } from 'node:crypto';
import { BusinessAuthGuard, BusinessId } from '@wt/business-auth';
import { ApiAnswer, ApiErrors, schemaRef } from '@wt/runtime';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CreateCampaignDto, UpdateCampaignDto } from './campaign.dto';
import { CampaignStore, type StoredCampaign } from './campaign.store';

export type CampaignView = CampaignV1 & { spent: number };

const view = (stored: StoredCampaign): CampaignView => ({ ...stored.campaign, spent: stored.spent });

/** OpenAPI shape of a CampaignView. */
const CAMPAIGN_VIEW = {
  allOf: [
    schemaRef('CampaignV1'),
    {
      type: 'object',
      properties: { spent: { type: 'integer', minimum: 0, description: 'Messages already granted from the budget' } },
      required: ['spent'],
    },
  ],
};

/**
 * The businesses' campaign API. Each change is published on `campaigns.v1` (the source of truth,
 * compacted, read back by every scoring replica) and applied to this replica's table at once,
 * so that a GET right after a POST sees it. A business only ever sees its own campaigns: any
 * other id is 404, whether it exists or not.
 */
@Controller('v1/campaigns')
@UseGuards(BusinessAuthGuard)
@ApiTags('campaigns')
@ApiBearerAuth()
@ApiErrors({ 401: 'No business API key, or not a valid one' })
export class CampaignController {
  constructor(
    private readonly campaigns: CampaignStore,
    private readonly publisher: KafkaPublisher,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiAnswer(201, 'Created and published on campaigns.v1', CAMPAIGN_VIEW)
  @ApiErrors({
    409: 'A campaign with this campaignId exists',
    422: 'The campaign breaks a rule of campaigns.v1 (e.g. endsAt before startsAt)',
  })
  async create(@BusinessId() businessId: string, @Body() dto: CreateCampaignDto): Promise<CampaignView> {
    const campaignId = dto.campaignId ?? `cmp_${randomUUID()}`;
    if (await this.campaigns.exists(campaignId)) throw new ConflictException(`campaign ${campaignId} already exists`);
    const campaign = await this.save({
      ...dto,
      campaignId,
      businessId,
      status: dto.status ?? 'draft',
      minRelevance: dto.minRelevance ?? 0,
      updatedAt: new Date().toISOString(),
    });
    return { ...campaign, spent: 0 };
  }

  @Get()
  @ApiAnswer(200, "The calling business's campaigns", { type: 'array', items: CAMPAIGN_VIEW })
  async list(@BusinessId() businessId: string): Promise<CampaignView[]> {
    return (await this.campaigns.listOwn(businessId)).map(view);
  }

  @Get(':campaignId')
  @ApiAnswer(200, 'The campaign', CAMPAIGN_VIEW)
  @ApiErrors({ 404: 'No such campaign of this business' })
  async get(@BusinessId() businessId: string, @Param('campaignId') campaignId: string): Promise<CampaignView> {
    return view(await this.own(businessId, campaignId));
  }

  @Patch(':campaignId')
  @ApiAnswer(200, 'Changed and published on campaigns.v1', CAMPAIGN_VIEW)
  @ApiErrors({
    404: 'No such campaign of this business',
    409: 'The campaign has ended, or the budget would go below what is already spent',
    422: 'The changed campaign breaks a rule of campaigns.v1',
  })
  async update(
    @BusinessId() businessId: string,
    @Param('campaignId') campaignId: string,
    @Body() dto: UpdateCampaignDto,
  ): Promise<CampaignView> {
    const stored = await this.own(businessId, campaignId);
    if (stored.campaign.status === 'ended') throw new ConflictException('an ended campaign cannot change');
    if (dto.budgetMessages !== undefined && dto.budgetMessages < stored.spent) {
      throw new ConflictException(`budget cannot go below the ${stored.spent} messages already granted`);
    }
    const previous = Date.parse(stored.campaign.updatedAt);
    const updatedAt = new Date(Math.max(Date.now(), previous + 1)).toISOString();
    const campaign = await this.save({ ...stored.campaign, ...dto, campaignId, businessId, updatedAt });
    return { ...campaign, spent: stored.spent };
  }

  private async own(businessId: string, campaignId: string): Promise<StoredCampaign> {
    const stored = await this.campaigns.findOwn(businessId, campaignId);
    if (!stored) throw new NotFoundException(`campaign ${campaignId} not found`);
    return stored;
  }

  private async save(raw: CampaignV1): Promise<CampaignV1> {
    const checked = validatePayload(Topic.CampaignsV1, raw);
    if (!checked.ok) throw new UnprocessableEntityException(describeViolations(checked.violations));
    const campaign = { ...checked.value };
    if (campaign.endsAt !== undefined && Date.parse(campaign.endsAt) <= Date.parse(campaign.startsAt)) {
      throw new UnprocessableEntityException('endsAt must be after startsAt');
    }
    await this.publisher.publish(Topic.CampaignsV1, [{ key: campaign.campaignId, value: campaign }]);
    await this.campaigns.upsert([campaign]);
    return campaign;
  }
}
