import { Injectable } from '@nestjs/common';
import { type MessagePricingV1 } from '@wt/contracts';
import { RateBook } from '@wt/pricing';
import { DataSource } from 'typeorm';
import { type CampaignReport, upliftOf } from './campaign-report';
import { TemplatePauseStore } from './template-pause.store';

@Injectable()
export class CampaignReportStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rates: RateBook,
    private readonly templatePauses: TemplatePauseStore,
  ) {}

  /**
   * Records what Meta billed for messages (the `pricing` of their statuses), once per message:
   * a redelivered status or a later one with pricing changes nothing. Returns how many were new.
   */
  async recordBilled(billed: readonly { decisionId: string; pricing: MessagePricingV1; occurredAt: string }[]): Promise<number> {
    const unique = [...new Map(billed.map((b) => [b.decisionId, b])).values()];
    if (unique.length === 0) return 0;
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO billed_message (decision_id, billable, pricing_model, category, pricing_type, micros, currency, rate_card_version, occurred_at)
       SELECT * FROM unnest($1::text[], $2::boolean[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::timestamptz[])
       ON CONFLICT (decision_id) DO NOTHING RETURNING decision_id`,
      [
        unique.map((b) => b.decisionId),
        unique.map((b) => b.pricing.billable),
        unique.map((b) => b.pricing.pricingModel),
        unique.map((b) => b.pricing.category),
        unique.map((b) => b.pricing.type ?? null),
        unique.map((b) => String(b.pricing.micros)),
        unique.map((b) => b.pricing.currency),
        unique.map((b) => b.pricing.rateCardVersion),
        unique.map((b) => b.occurredAt),
      ],
    );
    return rows.length;
  }

  /** The report of a campaign of this business; undefined for any other (or none). */
  async reportOf(businessId: string, campaignId: string): Promise<CampaignReport | undefined> {
    const rows: { kind: string; key: string | null; n: string; m: string | null }[] = await this.dataSource.query(
      `WITH c AS (SELECT campaign_id, budget_messages, spent, budget_micros, budget_currency, spent_micros, body FROM campaign WHERE campaign_id = $1 AND business_id = $2)
       SELECT 'campaign' AS kind, NULL AS key, budget_messages::text AS n, spent::text AS m FROM c
       UNION ALL
       SELECT 'money', budget_currency, spent_micros::text, budget_micros::text FROM c
       UNION ALL
       SELECT 'estimated', d.cost_currency, sum(d.estimated_cost_micros)::text, count(*)::text
       FROM decision d JOIN c ON c.campaign_id = d.campaign_id WHERE d.outcome = 'send' AND d.estimated_cost_micros IS NOT NULL GROUP BY d.cost_currency
       UNION ALL
       SELECT 'billed', b.currency, sum(b.micros)::text, count(*)::text
       FROM billed_message b JOIN decision d ON d.decision_id = b.decision_id JOIN c ON c.campaign_id = d.campaign_id GROUP BY b.currency
       UNION ALL
       SELECT 'template', body->'template'->>'language', body->'template'->>'name', NULL FROM c
       UNION ALL
       SELECT 'decision', CASE WHEN d.outcome = 'send' THEN 'send' ELSE d.reason END, count(*)::text, NULL
       FROM decision d JOIN c ON c.campaign_id = d.campaign_id GROUP BY 2
       UNION ALL
       SELECT 'outcome', o.kind, count(DISTINCT o.decision_id)::text, NULL
       FROM learned_outcome o JOIN decision d ON d.decision_id = o.decision_id JOIN c ON c.campaign_id = d.campaign_id GROUP BY o.kind
       UNION ALL
       SELECT 'holdout_conversion', NULL, count(*)::text, NULL FROM holdout_conversion h JOIN c ON c.campaign_id = h.campaign_id`,
      [campaignId, businessId],
    );
    const campaign = rows.find((r) => r.kind === 'campaign');
    if (!campaign) return undefined;
    const decisions = new Map(rows.filter((r) => r.kind === 'decision').map((r) => [r.key ?? '', Number(r.n)]));
    const outcome = (kind: string) => Number(rows.find((r) => r.kind === 'outcome' && r.key === kind)?.n ?? 0);
    const sent = decisions.get('send') ?? 0;
    const held = decisions.get('holdout') ?? 0;
    const holdoutConversions = Number(rows.find((r) => r.kind === 'holdout_conversion')?.n ?? 0);
    const converted = outcome('purchased');
    const budget = Number(campaign.n);
    const spent = Number(campaign.m ?? 0);
    const money = rows.find((r) => r.kind === 'money');
    const estimated = rows.filter((r) => r.kind === 'estimated');
    const billed = rows.filter((r) => r.kind === 'billed');
    const currency = money?.key ?? estimated[0]?.key ?? billed[0]?.key ?? this.rates.cardAt(new Date()).currency;
    const inCurrency = (list: typeof rows) => list.filter((r) => r.key === currency);
    const sumOf = (list: typeof rows) => inCurrency(list).reduce((total, r) => total + Number(r.n), 0) / 1e6;
    const moneyBudget = money?.m ? Number(money.m) / 1e6 : null;
    const estimatedAmount = sumOf(estimated);
    const template = rows.find((r) => r.kind === 'template');
    const paused = template?.key && template.n ? await this.templatePauses.pauseOf(businessId, template.n, template.key) : null;
    const suppressions: Record<string, number> = {};
    for (const [reason, n] of [...decisions].sort(([a], [b]) => (a < b ? -1 : 1))) if (reason !== 'send') suppressions[reason] = n;
    return {
      campaignId,
      sent,
      delivered: outcome('delivered'),
      read: outcome('read'),
      clicked: outcome('clicked'),
      converted,
      optedOut: outcome('opted_out'),
      budget: { messages: budget, spent, share: budget > 0 ? Math.round((spent / budget) * 1e4) / 1e4 : 0 },
      spend: {
        currency,
        estimated: estimatedAmount,
        billed: sumOf(billed),
        billedMessages: inCurrency(billed).reduce((total, r) => total + Number(r.m), 0),
        budget: moneyBudget,
        share: moneyBudget ? Math.round((estimatedAmount / moneyBudget) * 1e4) / 1e4 : null,
      },
      holdout: { people: held, conversions: holdoutConversions },
      uplift: upliftOf({ n: sent, conversions: converted }, { n: held, conversions: holdoutConversions }),
      suppressions,
      paused,
    };
  }

  /**
   * Records purchases by people a campaign of the same business held out, within `windowMs` after
   * they were held out (once per campaign and person). Returns how many were new.
   */
  async recordHoldoutConversions(
    purchases: readonly { personId: string; businessId: string; occurredAt: string }[],
    windowMs: number,
  ): Promise<number> {
    if (purchases.length === 0) return 0;
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO holdout_conversion (campaign_id, person_id, occurred_at)
       SELECT DISTINCT ON (d.campaign_id, d.person_id) d.campaign_id, d.person_id, p.occurred_at
       FROM unnest($1::char(64)[], $2::text[], $3::timestamptz[]) AS p(person_id, business_id, occurred_at)
       JOIN decision d ON d.person_id = p.person_id AND d.business_id = p.business_id AND d.reason = 'holdout'
         AND d.decided_at <= p.occurred_at AND d.decided_at > p.occurred_at - $4 * interval '1 millisecond'
       ORDER BY d.campaign_id, d.person_id, p.occurred_at
       ON CONFLICT DO NOTHING
       RETURNING campaign_id`,
      [purchases.map((p) => p.personId), purchases.map((p) => p.businessId), purchases.map((p) => p.occurredAt), windowMs],
    );
    return rows.length;
  }
}
