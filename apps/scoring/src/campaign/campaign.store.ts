import { Injectable } from '@nestjs/common';
import { type CampaignV1 } from '@wt/contracts';
import { gauge } from '@wt/observability';
import { DataSource, type EntityManager } from 'typeorm';

const runningGauge = gauge({ name: 'wt_campaigns_running', help: 'Campaigns active and within their dates, as last read' });

/** A campaign state from `campaigns.v1` that contradicts the stored one (see `CampaignStore.apply`). */
export interface CampaignRefusal {
  /** Its index in the states given. */
  index: number;
  reason: 'another_business' | 'budget_below_spent';
  detail: string;
}

/** A money budget in millionths (what the bigint columns hold), or null. */
export function budgetMicrosOf(c: Pick<CampaignV1, 'budgetMoney'>): string | null {
  return c.budgetMoney ? String(Math.round(c.budgetMoney.amount * 1_000_000)) : null;
}

/** The columns of a campaign row, in the order of the INSERTs below. */
function rowOf(c: CampaignV1): [string, string, string, string, string | null, number, string, string, string | null, string | null] {
  return [
    c.campaignId,
    c.businessId,
    c.status,
    c.startsAt,
    c.endsAt ?? null,
    c.budgetMessages,
    JSON.stringify(c),
    c.updatedAt,
    budgetMicrosOf(c),
    c.budgetMoney?.currency ?? null,
  ];
}

export interface StoredCampaign {
  campaign: CampaignV1;
  spent: number;
  /** Estimated cost of the messages granted so far, in millionths of the money budget's currency. */
  spentMicros: number;
}

/** What a campaign has left, under its row lock. */
export interface Remaining {
  messages: number;
  /** Millionths of `currency` left of the money budget; null: no money budget. */
  micros: number | null;
  currency: string | null;
}

/** What one evaluation grants a campaign: messages, and their estimated cost. */
export interface Grant {
  messages: number;
  micros: number;
}

type StoredRow = { body: CampaignV1; spent: number; spent_micros: string };
const stored = (r: StoredRow): StoredCampaign => ({ campaign: r.body, spent: r.spent, spentMicros: Number(r.spent_micros) });

@Injectable()
export class CampaignStore {
  private cache?: { at: number; campaigns: CampaignV1[] };

  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction (a campaign change and its outbox record commit together). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Stores a new campaign; false when its id is taken, by this business or another, whether
   * that campaign still runs or has ended. Concurrent creates of one id wait on the primary key:
   * exactly one stores it.
   */
  async insertNew(manager: EntityManager, campaign: CampaignV1): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO campaign (campaign_id, business_id, status, starts_at, ends_at, budget_messages, body, updated_at, budget_micros, budget_currency)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)
       ON CONFLICT (campaign_id) DO NOTHING RETURNING campaign_id`,
      [...rowOf(campaign)],
    );
    this.cache = undefined;
    return rows.length > 0;
  }

  /** One campaign of this business, locked until the transaction ends (spending waits), or undefined. */
  async lockOwn(manager: EntityManager, businessId: string, campaignId: string): Promise<StoredCampaign | undefined> {
    const rows: StoredRow[] = await manager.query(
      `SELECT body, spent, spent_micros FROM campaign WHERE campaign_id = $1 AND business_id = $2 FOR UPDATE`,
      [campaignId, businessId],
    );
    return rows[0] && stored(rows[0]);
  }

  /** Replaces a campaign's state (locked by `lockOwn` in the same transaction); its business and spending stay. */
  async replace(manager: EntityManager, campaign: CampaignV1): Promise<void> {
    await manager.query(
      `UPDATE campaign SET status = $3, starts_at = $4, ends_at = $5, budget_messages = $6, body = $7::jsonb, updated_at = $8,
         budget_micros = $9, budget_currency = $10
       WHERE campaign_id = $1 AND business_id = $2`,
      [...rowOf(campaign)],
    );
    this.cache = undefined;
  }

  /**
   * Applies campaign states from `campaigns.v1`, each in its order. A state not newer than the
   * stored one is ignored (it was applied, or superseded). Two are refused, as the API refuses
   * them: a state of another business's campaign (a campaign id belongs to the business that
   * stored it first, for ever), and a budget below what the campaign already spent. Returns the
   * refused ones (index in `campaigns`, why); nothing else is changed by them.
   */
  async apply(campaigns: readonly CampaignV1[]): Promise<CampaignRefusal[]> {
    const refusals: CampaignRefusal[] = [];
    // Rounds: the first pending state of every campaign, then the next, so that each state is
    // judged against the one before it (one statement per round; a batch rarely holds two of one).
    const pending = new Map<string, number[]>();
    campaigns.forEach((c, index) => pending.set(c.campaignId, [...(pending.get(c.campaignId) ?? []), index]));
    while (pending.size > 0) {
      const round: number[] = [];
      for (const [id, indexes] of pending) {
        round.push(indexes.shift() as number);
        if (indexes.length === 0) pending.delete(id);
      }
      refusals.push(...(await this.applyRound(round.map((index) => ({ index, campaign: campaigns[index] as CampaignV1 })))));
    }
    this.cache = undefined;
    await this.running(new Date(), 0);
    return refusals;
  }

  /** `apply` for tests and tools that write states directly: the refusals are ignored. */
  async upsert(campaigns: readonly CampaignV1[]): Promise<void> {
    await this.apply(campaigns);
  }

  private async applyRound(round: { index: number; campaign: CampaignV1 }[]): Promise<CampaignRefusal[]> {
    const rows = round.map((r) => rowOf(r.campaign));
    const column = (i: number) => rows.map((row) => row[i]);
    const applied: { campaign_id: string }[] = await this.dataSource.query(
      `INSERT INTO campaign (campaign_id, business_id, status, starts_at, ends_at, budget_messages, body, updated_at, budget_micros, budget_currency)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::jsonb[], $8::timestamptz[],
                            $9::bigint[], $10::text[])
       ON CONFLICT (campaign_id) DO UPDATE SET
         status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
         budget_messages = EXCLUDED.budget_messages, body = EXCLUDED.body, updated_at = EXCLUDED.updated_at,
         budget_micros = EXCLUDED.budget_micros, budget_currency = EXCLUDED.budget_currency
       WHERE campaign.business_id = EXCLUDED.business_id AND campaign.updated_at < EXCLUDED.updated_at
         AND campaign.spent <= EXCLUDED.budget_messages
         AND (EXCLUDED.budget_micros IS NULL OR campaign.spent_micros <= EXCLUDED.budget_micros)
         AND (campaign.spent_micros = 0 OR EXCLUDED.budget_currency IS NULL OR EXCLUDED.budget_currency = campaign.budget_currency)
       RETURNING campaign_id`,
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(column),
    );
    const done = new Set(applied.map((r) => r.campaign_id));
    const left = round.filter((r) => !done.has(r.campaign.campaignId));
    if (left.length === 0) return [];
    // Not applied: why, from what is stored now.
    const current: {
      campaign_id: string;
      business_id: string;
      spent: number;
      spent_micros: string;
      currency: string | null;
      not_newer: boolean;
    }[] = await this.dataSource.query(
      `SELECT c.campaign_id, c.business_id, c.spent, c.spent_micros, c.budget_currency AS currency, c.updated_at >= i.updated_at AS not_newer
       FROM campaign c JOIN unnest($1::text[], $2::timestamptz[]) AS i (campaign_id, updated_at) USING (campaign_id)`,
      [left.map((r) => r.campaign.campaignId), left.map((r) => r.campaign.updatedAt)],
    );
    const byId = new Map(current.map((s) => [s.campaign_id, s]));
    const refusals: CampaignRefusal[] = [];
    for (const { index, campaign } of left) {
      const current = byId.get(campaign.campaignId);
      if (!current) continue;
      if (current.business_id !== campaign.businessId) {
        refusals.push({
          index,
          reason: 'another_business',
          detail: 'campaignId belongs to another business: a campaign never changes business',
        });
      } else if (current.not_newer) {
        continue; // applied already, or older than the stored state
      } else if (current.spent > campaign.budgetMessages) {
        refusals.push({
          index,
          reason: 'budget_below_spent',
          detail: `budgetMessages ${campaign.budgetMessages} is below the ${current.spent} messages the campaign already granted`,
        });
      } else if (Number(current.spent_micros) > 0 && campaign.budgetMoney) {
        const spent = Number(current.spent_micros) / 1_000_000;
        refusals.push({
          index,
          reason: 'budget_below_spent',
          detail:
            campaign.budgetMoney.currency !== current.currency
              ? `budgetMoney is in ${campaign.budgetMoney.currency}, but the campaign already spent ${spent} ${current.currency}`
              : `budgetMoney ${campaign.budgetMoney.amount} ${campaign.budgetMoney.currency} is below the ${spent} already spent`,
        });
      }
    }
    return refusals;
  }

  /** One campaign of this business with what it has spent, or undefined (unknown, or another business's). */
  async findOwn(businessId: string, campaignId: string): Promise<StoredCampaign | undefined> {
    const rows: StoredRow[] = await this.dataSource.query(
      `SELECT body, spent, spent_micros FROM campaign WHERE campaign_id = $1 AND business_id = $2`,
      [campaignId, businessId],
    );
    return rows[0] && stored(rows[0]);
  }

  async listOwn(businessId: string): Promise<StoredCampaign[]> {
    const rows: StoredRow[] = await this.dataSource.query(
      `SELECT body, spent, spent_micros FROM campaign WHERE business_id = $1 ORDER BY updated_at DESC, campaign_id LIMIT 1000`,
      [businessId],
    );
    return rows.map(stored);
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
   * Locks these campaigns' rows (in id order) and returns what each has left to spend, messages and
   * money, so one evaluation can hand out the rest to its best candidates before `spend`: two
   * replicas granting sends of one campaign wait on the same row, so neither budget is exceeded.
   */
  async lockRemaining(manager: EntityManager, campaignIds: readonly string[]): Promise<Map<string, Remaining>> {
    const ids = [...new Set(campaignIds)].sort();
    if (ids.length === 0) return new Map();
    const rows: { campaign_id: string; remaining: number; micros: string | null; currency: string | null }[] = await manager.query(
      `SELECT campaign_id, budget_messages - spent AS remaining, budget_micros - spent_micros AS micros, budget_currency AS currency
       FROM campaign WHERE campaign_id = ANY($1::text[]) ORDER BY campaign_id FOR UPDATE`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.campaign_id,
        { messages: Math.max(0, r.remaining), micros: r.micros === null ? null : Math.max(0, Number(r.micros)), currency: r.currency },
      ]),
    );
  }

  /** Adds to campaigns' spending (messages and their estimated cost), in one statement; only after `lockRemaining` in the same transaction. */
  async spend(manager: EntityManager, granted: ReadonlyMap<string, Grant>): Promise<void> {
    const entries = [...granted].filter(([, g]) => g.messages > 0).sort(([a], [b]) => (a < b ? -1 : 1));
    if (entries.length === 0) return;
    await manager.query(
      `UPDATE campaign c SET spent = c.spent + g.messages, spent_micros = c.spent_micros + g.micros
       FROM unnest($1::text[], $2::int[], $3::bigint[]) AS g(campaign_id, messages, micros) WHERE c.campaign_id = g.campaign_id`,
      [entries.map(([id]) => id), entries.map(([, g]) => g.messages), entries.map(([, g]) => String(g.micros))],
    );
  }
}
