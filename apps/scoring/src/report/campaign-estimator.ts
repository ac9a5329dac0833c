import { Injectable } from '@nestjs/common';
import { RateBook } from '@wt/pricing';
import { AudienceService } from '../audience/audience.service';
import { CampaignCatalog } from '../campaign/campaign-catalog.service';
import { DecisionEngine } from '../decision/decision.engine';
import { volumeKey } from '../decision/decision-records.service';
import { ScoringConfig } from '../scoring.config';

/** `GET /v1/campaigns/{id}/estimate`: what a campaign would reach, send and cost if launched now. */
export interface CampaignEstimate {
  campaignId: string;
  /** People opted in to the business, with a contact, not reported unreachable. */
  reachableAudience: number;
  /** Of them, those the model would send to now (relevance, holdout, quiet hours and caps applied). */
  relevantAudience: number;
  /** The relevant people, best first, within what is left of the message and money budgets. */
  expectedSends: number;
  /** Their cost at the rate card in force (what the money budget is charged when they are decided). */
  expectedCost: { amount: number; currency: string; rateCardVersion: string };
  /** What limits the expected sends: `audience`, `message_budget` or `money_budget`. */
  limitedBy: 'audience' | 'message_budget' | 'money_budget';
}

/**
 * Estimates a campaign before its launch, as the launch would decide: the business's opted-in
 * audience is scored page by page with the current model (nothing is stored), the would-be sends
 * are ranked by score and taken while both budgets last, each priced at the rate card in force
 * by the recipient's country. Its numbers are an estimate: a launch later decides with the
 * profiles and the model of its own time.
 */
@Injectable()
export class CampaignEstimator {
  constructor(
    private readonly campaigns: CampaignCatalog,
    private readonly audience: AudienceService,
    private readonly engine: DecisionEngine,
    private readonly rates: RateBook,
    private readonly config: ScoringConfig,
  ) {}

  async estimate(businessId: string, campaignId: string, now = new Date()): Promise<CampaignEstimate | undefined> {
    const stored = await this.campaigns.findOwn(businessId, campaignId);
    if (!stored) return undefined;
    const { campaign } = stored;
    let reachable = 0;
    const sends: { country?: string; score: number }[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await this.audience.page(businessId, after, this.config.LAUNCH_BATCH_SIZE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.personId;
      const scored = await this.engine.scoreEach(page, campaign, now);
      reachable += scored.reachable;
      sends.push(...scored.sends);
      if (page.length < this.config.LAUNCH_BATCH_SIZE) break;
    }
    sends.sort((a, b) => b.score - a.score);
    const card = this.rates.cardAt(now);
    let messagesLeft = Math.max(0, campaign.budgetMessages - stored.spent);
    let microsLeft = campaign.budgetMoney ? Math.round(campaign.budgetMoney.amount * 1e6) - stored.spentMicros : Infinity;
    // Volume tiers: from the portfolio's delivered volume this month, each expected send counted in turn.
    const volumes = await this.engine.monthlyVolumesOf(campaign, now);
    let expected = 0;
    let cost = 0;
    let limitedBy: CampaignEstimate['limitedBy'] = 'audience';
    for (const send of sends) {
      if (messagesLeft <= 0) {
        limitedBy = 'message_budget';
        break;
      }
      const price = DecisionEngine.priceFor(card, campaign, send.country, volumes);
      if (price.micros > microsLeft || (campaign.budgetMoney && campaign.budgetMoney.currency !== price.currency)) {
        limitedBy = 'money_budget';
        break;
      }
      messagesLeft -= 1;
      microsLeft -= price.micros;
      const key = volumeKey(campaign.businessId, price.category, price.market);
      volumes.set(key, (volumes.get(key) ?? 0) + 1);
      expected += 1;
      cost += price.micros;
    }
    return {
      campaignId,
      reachableAudience: reachable,
      relevantAudience: sends.length,
      expectedSends: expected,
      expectedCost: { amount: cost / 1e6, currency: card.currency, rateCardVersion: card.version },
      limitedBy,
    };
  }
}
