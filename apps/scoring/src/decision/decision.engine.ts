import { Injectable } from '@nestjs/common';
import { type CampaignV1, type ProfileSnapshotV1, type TargetingDecisionV1 } from '@wt/contracts';
import { type Price, RateBook, type RateCard } from '@wt/pricing';
import { counter, histogram } from '@wt/observability';
import { DataSource, type EntityManager } from 'typeorm';
import { CampaignCatalog, type Grant } from '../campaign/campaign-catalog.service';
import { EligibilityService, pauseOf } from '../eligibility/eligibility.service';
import { type ContactPolicyOptions, SlotLedger } from '../policy/contact-policy';
import { EMPTY_HISTORY } from '../relevance/features';
import { type LogisticModel } from '../relevance/logistic-model';
import { ModelService } from '../relevance/model.service';
import { ScoringConfig } from '../scoring.config';
import { assess, concerns, draft, type DraftDecision, explained, isFinal, withhold } from './decision-policy';
import { DecisionOutbox } from './decision-outbox';
import { DecisionStore, volumeKey } from './decision.store';

const decisionsTotal = counter({
  name: 'wt_decisions_total',
  help: 'Decisions published, by outcome and reason',
  labelNames: ['outcome', 'reason'],
});

/**
 * How old the triggering event is when its decision is made, for every decision the real-time
 * trigger makes, published or not (an unchanged decision is not published again): the platform's
 * freshness, event time to decision. Fine buckets up to half a second, where the objective is.
 */
const eventAgeSeconds = histogram({
  name: 'wt_decision_event_age_seconds',
  help: 'Event time to decision, for every decision of the real-time trigger (published or not)',
  buckets: [
    0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3, 0.325, 0.35, 0.375, 0.4, 0.425, 0.45, 0.475, 0.5, 0.6, 0.75,
    1, 1.5, 2, 3, 5, 10, 30, 60,
  ],
});

export interface EvaluateOptions {
  /** Least score for a send per campaign, besides its threshold (set by a launch's ranking). */
  cutoffs?: ReadonlyMap<string, number>;
  /** Per person, the trace headers of the snapshot that triggered the evaluation; a decision continues it. */
  traces?: ReadonlyMap<string, Record<string, string>>;
  /** The model to decide with (a launch decides with the one it ranked with); default: the latest. */
  model?: LogisticModel;
  /**
   * The snapshots come from their people's own events (the real-time trigger): each decision's
   * event age is observed in wt_decision_event_age_seconds. Not for a launch or a resume.
   */
  eventTriggered?: boolean;
  /** The instant features are computed at (a launch's start); default: `now`. */
  scoredAt?: Date;
}

export function contactPolicy(config: ScoringConfig): ContactPolicyOptions {
  return {
    perBusinessWeeklyCap: config.PER_BUSINESS_WEEKLY_CAP,
    crossBusinessDailyCap: config.CROSS_BUSINESS_DAILY_CAP,
    quietStartHour: config.QUIET_START_HOUR,
    quietEndHour: config.QUIET_END_HOUR,
    defaultTimeZone: config.DEFAULT_TIME_ZONE,
  };
}

/**
 * Decides for people against campaigns, in one transaction, for both triggers (a changed profile,
 * a launch). The people are locked first (caps), then their decisions, then the campaigns'
 * budgets, always in the same order so replicas cannot deadlock. Every would-be send competes for
 * the person's free slots and the campaign's budget, the highest expected value first. Decisions
 * that are new or changed are stored and published; a send or a holdout is final.
 */
@Injectable()
export class DecisionEngine {
  private readonly policy: ContactPolicyOptions;

  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignCatalog,
    private readonly decisions: DecisionStore,
    private readonly models: ModelService,
    private readonly outbox: DecisionOutbox,
    config: ScoringConfig,
    private readonly eligibility: EligibilityService,
    private readonly rates: RateBook,
  ) {
    this.policy = contactPolicy(config);
  }

  /** What one more message of `campaign` to a person in `country` costs under `card` (a volume tier counts `volumes`). */
  static priceFor(card: RateCard, campaign: CampaignV1, country: string | undefined, volumes?: ReadonlyMap<string, number>): Price {
    const category = campaign.template.category ?? 'marketing';
    const base = { category, country } as const;
    const market = country ? (card.countries[country.toUpperCase()] ?? 'other') : 'other';
    return RateBook.priceWith(card, { ...base, monthlyVolume: volumes?.get(volumeKey(campaign.businessId, category, market)) ?? 0 });
  }

  async evaluate(
    snapshots: readonly ProfileSnapshotV1[],
    campaigns: readonly CampaignV1[],
    now: Date,
    options: EvaluateOptions = {},
  ): Promise<TargetingDecisionV1[]> {
    const pairs: { snapshot: ProfileSnapshotV1; campaign: CampaignV1 }[] = [];
    for (const snapshot of snapshots)
      for (const campaign of campaigns) if (concerns(snapshot, campaign)) pairs.push({ snapshot, campaign });
    if (pairs.length === 0) return [];
    const model = options.model ?? (await this.models.current());
    const population = await this.decisions.populationRates();

    const { published, outboxId, records } = await this.dataSource.transaction(async (manager) => {
      const personIds = [...new Set(pairs.map((p) => p.snapshot.personId))];
      await this.decisions.lockPeople(manager, personIds);
      // Their decisions for these pairs (locked), their history, and whom WhatsApp cannot reach now
      // (131026) and whose campaigns are paused (131048), in one round trip. Blocked people are
      // suppressed before relevance, so they take no budget and no frequency-cap slot.
      const { known, history, blocks } = await this.decisions.lockKnownWithContext(
        manager,
        pairs.map((p) => ({ campaignId: p.campaign.campaignId, personId: p.snapshot.personId })),
        [...new Set(pairs.map((p) => p.campaign.businessId))],
        now,
      );

      // Drafts: only the decisions published below get their explanation written.
      const candidates: DraftDecision[] = [];
      for (const { snapshot, campaign } of pairs) {
        const previous = known.get(`${campaign.campaignId}:${snapshot.personId}`);
        if (previous && isFinal(previous.reason, previous.outcome)) continue;
        if (options.eventTriggered && snapshot.activity.lastSeenAt) {
          eventAgeSeconds.observe(Math.max(0, now.getTime() - Date.parse(snapshot.activity.lastSeenAt)) / 1000);
        }
        candidates.push(
          draft(snapshot, campaign, {
            model,
            history: history.get(snapshot.personId) ?? EMPTY_HISTORY,
            policy: this.policy,
            now,
            cutoff: options.cutoffs?.get(campaign.campaignId),
            triggeredByEventAt: snapshot.activity.lastSeenAt,
            unreachableUntil: blocks.unreachable.get(snapshot.personId),
            businessPaused: pauseOf(blocks, campaign.businessId),
            population,
            scoredAt: options.scoredAt,
          }),
        );
      }

      // Slots and budget: would-be sends by expected value, best first (ties by id, for replay).
      const sends = candidates
        .filter((c) => c.decision.outcome === 'send')
        .sort((a, b) => b.decision.score - a.decision.score || (a.decision.decisionId < b.decision.decisionId ? -1 : 1));
      const remaining = await this.campaigns.lockRemaining(
        manager,
        sends.map((s) => s.decision.campaignId),
      );
      // Every send is priced at the card in force (a volume tier by this month's sends so far).
      const card = this.rates.cardAt(now);
      const countries = new Map(pairs.map((p) => [p.snapshot.personId, p.snapshot.country]));
      const volumes = await this.volumesFor(
        manager,
        card,
        sends.map((s) => s.decision),
        campaigns,
        now,
      );
      const slots = new SlotLedger(history, this.policy);
      const granted = new Map<string, Grant>();
      const final: DraftDecision[] = candidates.filter((c) => c.decision.outcome !== 'send');
      const byId = new Map(campaigns.map((c) => [c.campaignId, c]));
      for (const s of sends) {
        const campaign = byId.get(s.decision.campaignId)!;
        const left = remaining.get(campaign.campaignId) ?? { messages: 0, micros: null, currency: null };
        const price = DecisionEngine.priceFor(card, campaign, countries.get(s.decision.personId), volumes);
        const blocker = slots.blocker(s.decision.personId, campaign);
        if (blocker) {
          final.push(withhold(s, blocker));
        } else if (left.messages <= 0) {
          final.push(withhold(s, 'budget_exhausted'));
        } else if (left.micros !== null && (left.currency !== price.currency || left.micros < price.micros)) {
          const why =
            left.currency !== price.currency
              ? `Money budget of campaign ${campaign.campaignId} is in ${left.currency}, the rate card in ${price.currency}: nothing can be priced.`
              : `Money budget of campaign ${campaign.campaignId} is spent (${left.micros / 1e6} ${left.currency} left, this message costs ${price.micros / 1e6}).`;
          final.push(withhold(s, 'budget_exhausted', why));
        } else {
          left.messages -= 1;
          if (left.micros !== null) left.micros -= price.micros;
          remaining.set(campaign.campaignId, left);
          const grant = granted.get(campaign.campaignId) ?? { messages: 0, micros: 0 };
          granted.set(campaign.campaignId, { messages: grant.messages + 1, micros: grant.micros + price.micros });
          const key = volumeKey(campaign.businessId, price.category, price.market);
          volumes.set(key, (volumes.get(key) ?? 0) + 1);
          slots.take(s.decision.personId, campaign.businessId);
          final.push({
            ...s,
            decision: {
              ...s.decision,
              estimatedCost: {
                micros: price.micros,
                currency: price.currency,
                category: price.category,
                market: price.market,
                rateCardVersion: price.rateCardVersion,
              },
            },
          });
        }
      }
      await this.campaigns.spend(manager, granted);
      // People in quiet hours are evaluated again at their local morning (the launcher does it).
      const scheduled = final.flatMap((c) =>
        c.scheduledFor && c.decision.reason === 'quiet_hours' ? [{ decision: c.decision, at: c.scheduledFor }] : [],
      );
      if (scheduled.length > 0)
        await manager.query(
          `INSERT INTO scheduled_evaluation (campaign_id, person_id, due_at)
           SELECT * FROM unnest($1::text[], $2::char(64)[], $3::timestamptz[])
           ON CONFLICT (campaign_id, person_id) DO UPDATE SET due_at = EXCLUDED.due_at`,
          [
            scheduled.map((c) => c.decision.campaignId),
            scheduled.map((c) => c.decision.personId),
            scheduled.map((c) => c.at.toISOString()),
          ],
        );

      const toPublish = final
        .filter((c) => {
          const previous = known.get(`${c.decision.campaignId}:${c.decision.personId}`);
          return !previous || previous.reason !== c.decision.reason;
        })
        .map(explained);
      // Stored, and written to the outbox in the same statement, to be published only once
      // committed (see DecisionOutbox): the budget and people locks end here.
      const { outboxId, records } = await this.decisions.save(manager, toPublish, { table: this.outbox.table, headers: options.traces });
      return { published: toPublish.map((c) => c.decision), outboxId, records };
    });
    if (outboxId) await this.outbox.publish(outboxId, records);
    for (const d of published) decisionsTotal.inc({ outcome: d.outcome, reason: d.reason });
    return published;
  }

  /**
   * This month's delivered messages per (business portfolio, category, market), as the dispatcher
   * counted them from the delivered statuses, for the categories the card has volume tiers for
   * (none: no query; marketing has none at Meta).
   */
  private async volumesFor(
    manager: EntityManager,
    card: RateCard,
    sends: readonly Pick<TargetingDecisionV1, 'campaignId'>[],
    campaigns: readonly CampaignV1[],
    now: Date,
  ): Promise<Map<string, number>> {
    const tiered = new Set(Object.values(card.markets).flatMap((m) => Object.keys(m.tiers ?? {})));
    const byId = new Map(campaigns.map((c) => [c.campaignId, c]));
    const concerned = sends
      .map((d) => byId.get(d.campaignId))
      .filter((c) => c && tiered.has(c.template.category ?? 'marketing')) as CampaignV1[];
    if (concerned.length === 0) return new Map();
    return this.decisions.monthlyVolumes(manager, [...new Set(concerned.map((c) => c.businessId))], [...tiered], now);
  }

  /**
   * The delivered volume this month of the campaign's portfolio in its category, by market (the
   * volume tiers' count, `volumeKey`); empty when the card in force has no tiers for the category.
   */
  async monthlyVolumesOf(campaign: CampaignV1, now: Date): Promise<Map<string, number>> {
    const category = campaign.template.category ?? 'marketing';
    if (!Object.values(this.rates.cardAt(now).markets).some((m) => (m.tiers?.[category]?.length ?? 0) > 1)) return new Map();
    return this.decisions.monthlyVolumes(this.dataSource.manager, [campaign.businessId], [category], now);
  }

  /**
   * Scores without deciding (a launch ranks its audience first, with the model it will decide with);
   * nothing is stored. Only people who can receive the message now are scored: consent, contact,
   * reachability (131026), the campaign's own minRelevance, the holdout, quiet hours and the
   * frequency caps already reached are applied before the budget's cutoff, so the places they would
   * take go to the next-ranked. (People in quiet hours are scheduled for their local morning when
   * decided.)
   */
  async score(
    snapshots: readonly ProfileSnapshotV1[],
    campaign: CampaignV1,
    now: Date,
    pinned?: LogisticModel,
    scoredAt?: Date,
  ): Promise<number[]> {
    return (await this.scoreEach(snapshots, campaign, now, pinned, scoredAt)).sends.map((s) => s.score);
  }

  /**
   * `score`, person by person: how many of the snapshots can receive the campaign now (consent,
   * contact, reachable: `reachable`), and the would-be sends among them with their score and country.
   */
  async scoreEach(
    snapshots: readonly ProfileSnapshotV1[],
    campaign: CampaignV1,
    now: Date,
    pinned?: LogisticModel,
    scoredAt?: Date,
  ): Promise<{ reachable: number; sends: { personId: string; country?: string; score: number }[] }> {
    const model = pinned ?? (await this.models.current());
    const candidates = snapshots.filter((s) => concerns(s, campaign) && s.contact);
    if (candidates.length === 0) return { reachable: 0, sends: [] };
    const blocks = await this.eligibility.blocks(
      this.dataSource.manager,
      candidates.map((s) => s.personId),
      [],
      now,
    );
    const eligible = candidates.filter((s) => !blocks.unreachable.has(s.personId));
    if (eligible.length === 0) return { reachable: 0, sends: [] };
    const history = await this.decisions.history(
      this.dataSource.manager,
      eligible.map((s) => s.personId),
      now,
    );
    const slots = new SlotLedger(history, this.policy);
    const population = await this.decisions.populationRates();
    const sends: { personId: string; country?: string; score: number }[] = [];
    for (const s of eligible) {
      if (slots.blocker(s.personId, campaign) !== undefined) continue;
      // The score and reason `decide` would decide from (its explanation and message are not needed to rank).
      const { reason, score } = assess(s, campaign, {
        model,
        history: history.get(s.personId) ?? EMPTY_HISTORY,
        policy: this.policy,
        now,
        population,
        scoredAt,
      });
      if (reason === 'relevant') sends.push({ personId: s.personId, country: s.country, score });
    }
    return { reachable: eligible.length, sends };
  }
}
