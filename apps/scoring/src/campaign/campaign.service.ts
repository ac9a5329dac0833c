import { ConflictException, Injectable, Logger, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { type CampaignV1, describeViolations, Topic, validatePayload } from '@wt/contracts';
import { currentTraceContext } from '@wt/kafka';
import { RateBook } from '@wt/pricing';
import { randomUUID } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { type CreateCampaignDto, type UpdateCampaignDto } from './campaign.dto';
import { type CampaignRecord, CampaignOutbox } from './campaign-outbox';
import { CampaignStore, type StoredCampaign } from './campaign.store';

/**
 * The one answer to a create whose campaignId is taken, whoever took it: it says nothing of
 * whether that campaign exists for this business, another one, or has ended.
 */
export const CAMPAIGN_ID_TAKEN = 'this campaignId cannot be used: choose another one, or leave it out to have one generated';

/**
 * A business's campaigns, as its API changes them. Each change is stored first (the campaign table,
 * shared by every scoring replica), with its `campaigns.v1` record in the same transaction
 * (CampaignOutbox), and published once committed: a change the database refuses is never on the
 * topic. A campaign id belongs to the business that stored it first, for ever.
 */
@Injectable()
export class CampaignService {
  private readonly logger = new Logger(CampaignService.name);

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

  async create(businessId: string, dto: CreateCampaignDto): Promise<StoredCampaign> {
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
    return this.store(async (manager) => {
      if (!(await this.campaigns.insertNew(manager, campaign))) throw new ConflictException(CAMPAIGN_ID_TAKEN);
      return { campaign, spent: 0, spentMicros: 0 };
    });
  }

  async list(businessId: string): Promise<StoredCampaign[]> {
    return this.campaigns.listOwn(businessId);
  }

  async update(businessId: string, campaignId: string, dto: UpdateCampaignDto): Promise<StoredCampaign> {
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
    return stored;
  }

  async own(businessId: string, campaignId: string): Promise<StoredCampaign> {
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
