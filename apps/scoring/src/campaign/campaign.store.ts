import { Injectable } from '@nestjs/common';
import { type CampaignV1 } from '@wt/contracts';
import { returnedRows } from '@wt/database';
import { Gauge, register } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';

const runningGauge =
  (register.getSingleMetric('wt_campaigns_running') as Gauge | undefined) ??
  new Gauge({ name: 'wt_campaigns_running', help: 'Campaigns active and within their dates, as last read' });

export interface StoredCampaign {
  campaign: CampaignV1;
  spent: number;
}

@Injectable()
export class CampaignStore {
  private cache?: { at: number; campaigns: CampaignV1[] };

  constructor(private readonly dataSource: DataSource) {}

  /** Applies campaign states; an older state than the stored one is ignored. Spending is kept. */
  async upsert(campaigns: readonly CampaignV1[]): Promise<void> {
    if (campaigns.length === 0) return;
    const latest = new Map<string, CampaignV1>();
    for (const c of campaigns) {
      const known = latest.get(c.campaignId);
      if (!known || Date.parse(known.updatedAt) <= Date.parse(c.updatedAt)) latest.set(c.campaignId, c);
    }
    const rows = [...latest.values()];
    await this.dataSource.query(
      `INSERT INTO campaign (campaign_id, business_id, status, starts_at, ends_at, budget_messages, body, updated_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::jsonb[], $8::timestamptz[])
       ON CONFLICT (campaign_id) DO UPDATE SET
         business_id = EXCLUDED.business_id, status = EXCLUDED.status, starts_at = EXCLUDED.starts_at,
         ends_at = EXCLUDED.ends_at, budget_messages = EXCLUDED.budget_messages, body = EXCLUDED.body,
         updated_at = EXCLUDED.updated_at
       WHERE campaign.updated_at <= EXCLUDED.updated_at`,
      [
        rows.map((c) => c.campaignId),
        rows.map((c) => c.businessId),
        rows.map((c) => c.status),
        rows.map((c) => c.startsAt),
        rows.map((c) => c.endsAt ?? null),
        rows.map((c) => c.budgetMessages),
        rows.map((c) => JSON.stringify(c)),
        rows.map((c) => c.updatedAt),
      ],
    );
    this.cache = undefined;
    await this.running(new Date(), 0);
  }

  /** One campaign of this business with what it has spent, or undefined (unknown, or another business's). */
  async findOwn(businessId: string, campaignId: string): Promise<StoredCampaign | undefined> {
    const rows: { body: CampaignV1; spent: number }[] = await this.dataSource.query(
      `SELECT body, spent FROM campaign WHERE campaign_id = $1 AND business_id = $2`,
      [campaignId, businessId],
    );
    return rows[0] && { campaign: rows[0].body, spent: rows[0].spent };
  }

  async exists(campaignId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM campaign WHERE campaign_id = $1`, [campaignId]);
    return rows.length > 0;
  }

  async listOwn(businessId: string): Promise<StoredCampaign[]> {
    const rows: { body: CampaignV1; spent: number }[] = await this.dataSource.query(
      `SELECT body, spent FROM campaign WHERE business_id = $1 ORDER BY updated_at DESC, campaign_id LIMIT 1000`,
      [businessId],
    );
    return rows.map((r) => ({ campaign: r.body, spent: r.spent }));
  }

  /** Campaigns that are active and within their dates now (cached for `maxAgeMs`). */
  async running(now: Date, maxAgeMs: number): Promise<CampaignV1[]> {
    if (this.cache && now.getTime() - this.cache.at <= maxAgeMs) return this.cache.campaigns;
    const rows: { body: CampaignV1 }[] = await this.dataSource.query(
      `SELECT body FROM campaign WHERE status = 'active' AND starts_at <= $1 AND (ends_at IS NULL OR ends_at > $1)`,
      [now.toISOString()],
    );
    this.cache = { at: now.getTime(), campaigns: rows.map((r) => r.body) };
    runningGauge.set(rows.length);
    return this.cache.campaigns;
  }

  /**
   * Locks these campaigns' rows (in id order) and returns what each has left to spend, so one
   * evaluation can hand out the remaining messages to its best candidates before `spend`.
   */
  async lockRemaining(manager: EntityManager, campaignIds: readonly string[]): Promise<Map<string, number>> {
    const ids = [...new Set(campaignIds)].sort();
    if (ids.length === 0) return new Map();
    const rows: { campaign_id: string; remaining: number }[] = await manager.query(
      `SELECT campaign_id, budget_messages - spent AS remaining FROM campaign WHERE campaign_id = ANY($1::text[]) ORDER BY campaign_id FOR UPDATE`,
      [ids],
    );
    return new Map(rows.map((r) => [r.campaign_id, Math.max(0, r.remaining)]));
  }

  /** Adds to campaigns' spending (messages per campaign id), in one statement; only after `lockRemaining` in the same transaction. */
  async spend(manager: EntityManager, granted: ReadonlyMap<string, number>): Promise<void> {
    const entries = [...granted].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : 1));
    if (entries.length === 0) return;
    await manager.query(
      `UPDATE campaign c SET spent = c.spent + g.messages FROM unnest($1::text[], $2::int[]) AS g(campaign_id, messages) WHERE c.campaign_id = g.campaign_id`,
      [entries.map(([id]) => id), entries.map(([, n]) => n)],
    );
  }

  /**
   * Grants up to `wanted` messages of a campaign's budget, under a row lock so that several
   * scoring replicas together never exceed it. Returns how many were granted.
   */
  async reserveBudget(manager: EntityManager, campaignId: string, wanted: number): Promise<number> {
    const rows = returnedRows<{ granted: number }>(
      await manager.query(
        `WITH old AS (SELECT spent, budget_messages FROM campaign WHERE campaign_id = $1 FOR UPDATE)
       UPDATE campaign c SET spent = LEAST(old.budget_messages, old.spent + $2)
       FROM old WHERE c.campaign_id = $1
       RETURNING c.spent - old.spent AS granted`,
        [campaignId, wanted],
      ),
    );
    return rows[0]?.granted ?? 0;
  }
}
