import { type PricingCategoryName } from '@wt/contracts';
import { counter } from '@wt/observability';
import { monthOf } from '@wt/pricing';
import { type EntityManager } from 'typeorm';

const countedTotal = counter({
  name: 'wt_portfolio_delivered_counted_total',
  help: 'Delivered messages counted toward their business portfolio’s monthly volume (per-message pricing tiers), by category',
  labelNames: ['category'],
});

/** Which volume a delivered message counts toward: its portfolio, category and market, in the month it was delivered. */
export interface VolumeKey {
  businessId: string;
  category: PricingCategoryName;
  market: string;
  at: Date;
}

/**
 * The monthly delivered volume of each business portfolio per pricing category and market
 * (`portfolio_delivered_volume`), which Meta's volume tiers are chosen by: counted from the
 * delivered statuses the dispatcher sees, once per message, in the webhook's transaction. Only for
 * categories the card has tiers for in that market (utility and authentication at Meta), so the
 * counter row a busy portfolio's deliveries share is never touched by marketing sends.
 */
export class DeliveredVolumes {
  /**
   * Counts a delivered message once: its rank in the month (1 for the first), or undefined when it
   * was counted already (a redelivered or later status). Takes the counter row's lock until the
   * webhook's transaction ends, so two replicas never give two messages the same rank.
   */
  async count(
    manager: EntityManager,
    message: { decisionId: string; kind: string; currency: string; rateCardVersion: string },
    key: VolumeKey,
  ): Promise<number | undefined> {
    const { decisionId } = message;
    const claimed: unknown[] = await manager.query(
      `INSERT INTO message_cost (decision_id, kind, category, market, currency, rate_card_version, monthly_rank) VALUES ($1, $2, $3, $4, $5, $6, 0)
       ON CONFLICT (decision_id) DO UPDATE SET monthly_rank = 0 WHERE message_cost.monthly_rank IS NULL RETURNING 1`,
      [decisionId, message.kind, key.category, key.market, message.currency, message.rateCardVersion],
    );
    if (claimed.length === 0) return undefined;
    const rows: { delivered: string }[] = await manager.query(
      `INSERT INTO portfolio_delivered_volume (business_id, month, category, market, delivered) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (business_id, month, category, market) DO UPDATE SET delivered = portfolio_delivered_volume.delivered + 1
       RETURNING delivered`,
      [key.businessId, monthOf(key.at), key.category, key.market],
    );
    const rank = Number(rows[0]?.delivered);
    await manager.query(`UPDATE message_cost SET monthly_rank = $2 WHERE decision_id = $1`, [decisionId, rank]);
    countedTotal.inc({ category: key.category });
    return rank;
  }

  /** The rank a message was counted at, if it was. */
  async rankOf(manager: EntityManager, decisionId: string): Promise<number | undefined> {
    const rows: { monthly_rank: string | null }[] = await manager.query(`SELECT monthly_rank FROM message_cost WHERE decision_id = $1`, [
      decisionId,
    ]);
    const rank = Number(rows[0]?.monthly_rank ?? 0);
    return rank > 0 ? rank : undefined;
  }
}
