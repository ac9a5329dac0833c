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
import { CreateCampaignDto, UpdateCampaignDto } from './campaign.dto';
import { CampaignStore, type StoredCampaign } from './campaign.store';

export type CampaignView = CampaignV1 & { spent: number };

const view = (stored: StoredCampaign): CampaignView => ({ ...stored.campaign, spent: stored.spent });

/**
 * The businesses' campaign API. Each change is published on `campaigns.v1` (the source of truth,
 * compacted, read back by every scoring replica) and applied to this replica's table at once,
 * so that a GET right after a POST sees it. A business only ever sees its own campaigns: any
 * other id is 404, whether it exists or not.
 */
@Controller('v1/campaigns')
@UseGuards(BusinessAuthGuard)
export class CampaignController {
  constructor(
    private readonly campaigns: CampaignStore,
    private readonly publisher: KafkaPublisher,
  ) {}

  @Post()
  @HttpCode(201)
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
  async list(@BusinessId() businessId: string): Promise<CampaignView[]> {
    return (await this.campaigns.listOwn(businessId)).map(view);
  }

  @Get(':campaignId')
  async get(@BusinessId() businessId: string, @Param('campaignId') campaignId: string): Promise<CampaignView> {
    return view(await this.own(businessId, campaignId));
  }

  @Patch(':campaignId')
  async update(@BusinessId() businessId: string, @Param('campaignId') campaignId: string, @Body() dto: UpdateCampaignDto): Promise<CampaignView> {
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
