import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Logger,
  NotFoundException,
  Param,
  Patch,
  Post,
  UseGuards,
  UnprocessableEntityException,
} from '@nestjs/common';
import { type CampaignV1, describeViolations, Topic, validatePayload } from '@wt/contracts';
import { currentTraceContext } from '@wt/kafka';
import { randomUUID } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { BusinessAuthGuard, BusinessId } from '@wt/business-auth';
import { ApiAnswer, ApiErrors, schemaRef } from '@wt/runtime';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RateBook } from '@wt/pricing';
import { CreateCampaignDto, UpdateCampaignDto } from './campaign.dto';
import { type CampaignRecord, CampaignOutbox } from './campaign-outbox';
import { CampaignStore, type StoredCampaign } from './campaign.store';

/**
 * The one answer to a create whose campaignId is taken, whoever took it: it says nothing of
 * whether that campaign exists for this business, another one, or has ended.
 */
export const CAMPAIGN_ID_TAKEN = 'this campaignId cannot be used: choose another one, or leave it out to have one generated';

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
 * The businesses' campaign API. Each change is stored first (the campaign table, shared by every
 * scoring replica), with its `campaigns.v1` record in the same transaction (CampaignOutbox), and
 * published once committed: a change the database refuses is never on the topic, and a GET right
 * after a POST sees it. A campaign id belongs to the business that stored it first, for ever. A
 * business only ever sees its own campaigns: any other id is 404, whether it exists or not.
 */
@Controller('v1/campaigns')
@UseGuards(BusinessAuthGuard)
@ApiTags('campaigns')
@ApiBearerAuth()
@ApiErrors({ 401: 'No business API key, or not a valid one' })
export class CampaignController {
  private readonly logger = new Logger(CampaignController.name);

  constructor(
    private readonly campaigns: CampaignStore,
    private readonly outbox: CampaignOutbox,
    private readonly rates: RateBook,
  ) {}

  /** A money budget can only be in a currency the rate cards are in (no exchange rates here): 422 if not. */
  private priceable(campaign: CampaignV1): CampaignV1 {
    const currency = campaign.budgetMoney?.currency;
    if (currency && !this.rates.currencies().includes(currency)) {
      throw new UnprocessableEntityException(
        `budgetMoney.currency ${currency}: the rate cards are in ${this.rates.currencies().join(', ')}; a money budget must be in one of them`,
      );
    }
    return campaign;
  }

  @Post()
  @HttpCode(201)
  @ApiAnswer(201, 'Created and published on campaigns.v1', CAMPAIGN_VIEW)
  @ApiErrors({
    409: 'The campaignId is taken (the same answer whoever took it)',
    422: 'The campaign breaks a rule of campaigns.v1 (e.g. endsAt before startsAt)',
  })
  async create(@BusinessId() businessId: string, @Body() dto: CreateCampaignDto): Promise<CampaignView> {
    const campaign = this.priceable(
      checked({
        ...dto,
        campaignId: dto.campaignId ?? `cmp_${randomUUID()}`,
        businessId,
        status: dto.status ?? 'draft',
        minRelevance: dto.minRelevance ?? 0,
        updatedAt: new Date().toISOString(),
      }),
    );
    return view(
      await this.store(async (manager) => {
        if (!(await this.campaigns.insertNew(manager, campaign))) throw new ConflictException(CAMPAIGN_ID_TAKEN);
        return { campaign, spent: 0, spentMicros: 0 };
      }),
    );
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
    422: 'The changed campaign breaks a rule of campaigns.v1 with its stored fields (e.g. endsAt before the stored startsAt)',
  })
  async update(
    @BusinessId() businessId: string,
    @Param('campaignId') campaignId: string,
    @Body() dto: UpdateCampaignDto,
  ): Promise<CampaignView> {
    // Under the campaign's row lock: spending waits, so the budget check holds when committed.
    const stored = await this.store(async (manager) => {
      const stored = await this.campaigns.lockOwn(manager, businessId, campaignId);
      if (!stored) throw new NotFoundException(`campaign ${campaignId} not found`);
      if (stored.campaign.status === 'ended') throw new ConflictException('an ended campaign cannot change');
      if (dto.budgetMessages !== undefined && dto.budgetMessages < stored.spent) {
        throw new ConflictException(`budget cannot go below the ${stored.spent} messages already granted`);
      }
      const previous = Date.parse(stored.campaign.updatedAt);
      const updatedAt = new Date(Math.max(Date.now(), previous + 1)).toISOString();
      const changed = this.priceable(checked({ ...stored.campaign, ...dto, campaignId, businessId, updatedAt }));
      if (stored.spentMicros > 0 && dto.budgetMoney) {
        const spent = stored.spentMicros / 1e6;
        if (dto.budgetMoney.currency !== stored.campaign.budgetMoney?.currency)
          throw new ConflictException(
            `the campaign already spent ${spent} ${stored.campaign.budgetMoney?.currency ?? ''}: its currency cannot change`,
          );
        if (Math.round(dto.budgetMoney.amount * 1e6) < stored.spentMicros)
          throw new ConflictException(`the money budget cannot go below the ${spent} ${dto.budgetMoney.currency} already spent`);
      }
      await this.campaigns.replace(manager, changed);
      return { campaign: changed, spent: stored.spent, spentMicros: stored.spentMicros };
    });
    return view(stored);
  }

  private async own(businessId: string, campaignId: string): Promise<StoredCampaign> {
    const stored = await this.campaigns.findOwn(businessId, campaignId);
    if (!stored) throw new NotFoundException(`campaign ${campaignId} not found`);
    return stored;
  }

  /**
   * Stores a campaign state (`write` returns it) and its outbox record in one transaction, then
   * publishes it. A failed publish is not the caller's failure: the state is stored, and the
   * outbox relay publishes it within seconds.
   */
  private async store(write: (manager: EntityManager) => Promise<StoredCampaign>): Promise<StoredCampaign> {
    const { stored, record, outboxId } = await this.campaigns.transaction(async (manager) => {
      const written = await write(manager);
      const outgoing: CampaignRecord = { key: written.campaign.campaignId, value: written.campaign, headers: currentTraceContext() };
      return { stored: written, record: outgoing, outboxId: await this.outbox.add(manager, [outgoing]) };
    });
    await this.outbox
      .publish(outboxId, [record])
      .catch((error: unknown) =>
        this.logger.warn(`campaign ${record.key ?? ''} stored, its publish failed (the outbox relay retries): ${String(error)}`),
      );
    return stored;
  }
}

/** The full state, checked against `campaigns.v1` (what the body alone cannot tell, e.g. endsAt after a stored startsAt): 422 if not. */
function checked(raw: CampaignV1): CampaignV1 {
  const result = validatePayload(Topic.CampaignsV1, raw);
  if (!result.ok) throw new UnprocessableEntityException(describeViolations(result.violations));
  return { ...result.value };
}
