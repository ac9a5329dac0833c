import { Injectable } from '@nestjs/common';
import { type MessagePricingV1, type PricingCategoryName, type TargetingDecisionV1 } from '@wt/contracts';
import { isBusinessScopedUserId, normalizePhone } from '@wt/identity';
import { counter } from '@wt/observability';
import { hasVolumeTiers, marketOf, RateBook } from '@wt/pricing';
import { type MessageStatusUpdate } from '@wt/whatsapp';
import { type EntityManager } from 'typeorm';
import { DeliveredVolumes } from './delivered-volumes';

/** The message a status is about, as far as its price goes: a campaign template or an assistant reply (text), and whose portfolio sent it. */
export interface PricedMessage {
  decisionId: string;
  kind: 'template' | 'text';
  businessId: string;
}

const costMicros = counter({
  name: 'wt_message_cost_micros_total',
  help: 'Cost of messages in millionths of the rate card currency: estimated when queued (campaigns) or sent (replies), billed from the pricing of status webhooks',
  labelNames: ['kind', 'category', 'currency'],
});

/**
 * The recipient's country: from the number's calling code, or, for a message to a business-scoped
 * user id without a shared number, the country its `CC.` prefix names; unknown → the card's `other`.
 */
export function recipientCountry(status: Pick<MessageStatusUpdate, 'recipient_id' | 'recipient_user_id'>): string | undefined {
  if (status.recipient_id) {
    const phone = normalizePhone(`+${status.recipient_id.replace(/^\+/, '')}`);
    if (phone.ok && phone.country) return phone.country;
  }
  return isBusinessScopedUserId(status.recipient_user_id) ? status.recipient_user_id.slice(0, 2) : undefined;
}

/** Meta's billing categories, as the rate card names them (`marketing_lite` is billed as marketing). */
function cardCategory(category: string): PricingCategoryName | undefined {
  switch (category) {
    case 'marketing':
    case 'marketing_lite':
      return 'marketing';
    case 'utility':
    case 'authentication':
    case 'authentication_international':
    case 'service':
      return category;
    default:
      return undefined; // referral_conversion: free entry point, nothing to price
  }
}

/**
 * What each message costs. A campaign send arrives with its estimate (the decision's
 * `estimatedCost`); an assistant reply is a service message, estimated at the card when its first
 * priced status comes (the dispatcher learns the recipient's country from it without opening the
 * vault). Billed: from the `pricing` object of the `sent`/`delivered` webhook, once per message,
 * at the card in force then: 0 when Meta says `billable: false` (free customer-service or free
 * entry point).
 */
@Injectable()
export class MessageCosts {
  private readonly volumes = new DeliveredVolumes();

  constructor(private readonly rates: RateBook) {}

  /** The estimates of campaign sends, as the decisions carry them (a decision without one, from before: none). */
  async recordEstimates(manager: EntityManager, decisions: readonly TargetingDecisionV1[]): Promise<void> {
    const priced = decisions.flatMap((d) => (d.estimatedCost ? [{ decisionId: d.decisionId, cost: d.estimatedCost }] : []));
    if (priced.length === 0) return;
    const rows: { category: string; currency: string; micros: string }[] = await manager.query(
      `INSERT INTO message_cost (decision_id, kind, category, market, currency, rate_card_version, estimated_micros)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
       ON CONFLICT (decision_id) DO NOTHING RETURNING category, currency, estimated_micros AS micros`,
      [
        priced.map((d) => d.decisionId),
        priced.map(() => 'template'),
        priced.map((d) => d.cost.category),
        priced.map((d) => d.cost.market),
        priced.map((d) => d.cost.currency),
        priced.map((d) => d.cost.rateCardVersion),
        priced.map((d) => String(d.cost.micros)),
      ],
    );
    for (const r of rows) costMicros.inc({ kind: 'estimated', category: r.category, currency: r.currency }, Number(r.micros));
  }

  /**
   * The billed pricing of a status that carries Meta's `pricing` (in the webhook's transaction),
   * recorded the first time only (for a category priced by volume tier, at delivery: its rank in the
   * portfolio's month picks the tier); undefined when the status has none, or is the `sent` of a
   * message whose price its delivery decides.
   */
  async billed(manager: EntityManager, row: PricedMessage, status: MessageStatusUpdate): Promise<MessagePricingV1 | undefined> {
    const pricing = status.pricing;
    if (!pricing) return undefined;
    const at = new Date(Number(status.timestamp) * 1000);
    const country = recipientCountry(status);
    const category = cardCategory(pricing.category);
    const card = this.rates.cardAt(at);
    const market = marketOf(card, country);
    // Volume tiers: Meta counts the portfolio's delivered messages of the category in the market this
    // month, so a message of a tiered category is billed at delivery (or a `read` that came first):
    // the status counts it (once) and its rank picks the tier. Its `sent` carries no billed price.
    let rank: number | undefined;
    if (category !== undefined && pricing.billable && hasVolumeTiers(card, market, category)) {
      if (status.status !== 'delivered' && status.status !== 'read') return undefined;
      const message = { decisionId: row.decisionId, kind: row.kind, currency: card.currency, rateCardVersion: card.version };
      rank =
        (await this.volumes.count(manager, message, { businessId: row.businessId, category, market, at })) ??
        (await this.volumes.rankOf(manager, row.decisionId));
    }
    const price = category ? RateBook.priceWith(card, { category, country, monthlyVolume: rank !== undefined ? rank - 1 : 0 }) : undefined;
    const micros = pricing.billable && price ? price.micros : 0;
    const result: MessagePricingV1 = {
      billable: pricing.billable,
      pricingModel: pricing.pricing_model,
      category: pricing.category,
      ...(pricing.type ? { type: pricing.type } : {}),
      micros,
      currency: card.currency,
      rateCardVersion: card.version,
      ...(price ? { market: price.market } : {}),
      ...(rank !== undefined ? { monthlyRank: rank } : {}),
    };
    // A reply's estimate is the card's service price at its country (the same as billed unless Meta says free).
    const estimate = row.kind === 'text' ? (this.rates.price(at, { category: 'service', country })?.micros ?? 0) : null;
    const recorded: { fresh: boolean }[] = await manager.query(
      `INSERT INTO message_cost (decision_id, kind, category, market, currency, rate_card_version, estimated_micros, billable, billed_micros, billed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (decision_id) DO UPDATE SET billable = EXCLUDED.billable, billed_micros = EXCLUDED.billed_micros, billed_at = EXCLUDED.billed_at,
         estimated_micros = COALESCE(message_cost.estimated_micros, EXCLUDED.estimated_micros)
       WHERE message_cost.billed_at IS NULL
       RETURNING (xmax = 0) AS fresh`,
      [
        row.decisionId,
        row.kind,
        category ?? pricing.category,
        price?.market ?? null,
        card.currency,
        card.version,
        estimate,
        pricing.billable,
        micros,
        at,
      ],
    );
    if (recorded.length > 0) {
      costMicros.inc({ kind: 'billed', category: pricing.category, currency: card.currency }, micros);
      if (recorded[0]?.fresh && estimate !== null)
        costMicros.inc({ kind: 'estimated', category: 'service', currency: card.currency }, estimate);
    }
    return result;
  }
}
