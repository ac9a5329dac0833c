import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { counter, gauge } from '@wt/observability';
import { DataSource, type EntityManager } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';

export const PORTFOLIO_LIMIT_REASON = 'portfolio_messaging_limit';

const held = counter({
  name: 'wt_dispatch_held_total',
  help: "Template sends held back before any call, by reason: portfolio_messaging_limit (the business portfolio's unique recipients in the rolling 24 h are at its tier; resumed when the window moves)",
  labelNames: ['reason'],
});

const limitGauge = gauge({
  name: 'wt_portfolio_messaging_limit',
  help: "The business portfolio's messaging limit (unique recipients per rolling 24 h; -1: unlimited)",
  labelNames: ['business_id'],
});

const recipientsGauge = gauge({
  name: 'wt_portfolio_unique_recipients',
  help: 'Unique recipients of template messages of the business portfolio in the rolling window',
  labelNames: ['business_id'],
});

/** Parses `PORTFOLIO_MESSAGING_LIMITS` (`business=limit`, limit a number or `unlimited`; `*` for every business). */
export function configuredLimits(setting: string | undefined): Map<string, number | null> {
  const limits = new Map<string, number | null>();
  for (const part of (setting ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = part.lastIndexOf('=');
    if (at <= 0) continue;
    const value = part
      .slice(at + 1)
      .trim()
      .toLowerCase();
    limits.set(part.slice(0, at).trim(), value === 'unlimited' ? null : Number(value));
  }
  return limits;
}

interface Candidate {
  decision_id: string;
  business_id: string;
  person_id: string;
  kind: 'template' | 'text';
}

/**
 * Meta's messaging limit per business portfolio (the platform's business): unique recipients of
 * template messages per rolling 24 h (tiers 250, 2,000, 10,000, 100,000, unlimited), shared by all
 * the portfolio's numbers. The tier comes from `PORTFOLIO_MESSAGING_LIMITS` and, newer, from Meta's
 * webhooks (`business_capability_update`, `phone_number_quality_update`:
 * `max_daily_conversations_per_business`). Enforced where sends are claimed, inside the claim's
 * transaction, with the portfolio's row locked: replicas admit recipients one after the other, so
 * together they never pass the tier. A person counts from the claim of their first template in the
 * window (a send that then fails still counts: the safe side), and from Meta's acceptance once the
 * call returns (Meta's window starts then, later than the claim: the place is freed no earlier than at
 * Meta). Recipients of portfolios with no known tier are counted too, so a tier learnt later applies to
 * them. Sends over it stay `pending` with
 * reason `portfolio_messaging_limit` until the window frees a place. Free-form replies (inside a
 * customer-service window) do not count, as at Meta.
 */
@Injectable()
export class PortfolioLimits implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PortfolioLimits.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: DispatcherConfig,
  ) {}

  /** Configured tiers apply where Meta has said nothing yet. */
  async onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => {
      this.maintain().catch((error: unknown) =>
        this.logger.warn(`portfolio limits: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, 5000);
    this.timer.unref();
    const limits = configuredLimits(this.config.PORTFOLIO_MESSAGING_LIMITS);
    const ids = [...limits.keys()];
    if (ids.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO portfolio_limit (business_id, tier, source) SELECT * FROM unnest($1::text[], $2::int[], $3::text[])
       ON CONFLICT (business_id) DO UPDATE SET tier = EXCLUDED.tier, updated_at = now() WHERE portfolio_limit.source = 'config'`,
      [ids, ids.map((id) => limits.get(id) ?? null), ids.map(() => 'config')],
    );
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Inside a claim's transaction: the candidates that fit in their portfolio's limit. The others are
   * deferred (still `pending`) to when the oldest recipient of their portfolio leaves the window,
   * with the reason; those deferred for the first time are returned (their status is published once).
   */
  static async admit(
    manager: EntityManager,
    candidates: Candidate[],
    windowMs: number,
  ): Promise<{ over: Set<string>; newlyHeld: string[] }> {
    const over = new Set<string>();
    const templates = candidates.filter((c) => c.kind === 'template');
    if (templates.length === 0) return { over, newlyHeld: [] };
    const businesses = [...new Set(templates.map((c) => c.business_id))].sort();
    // Each portfolio's own row, or the `*` default; locked so that replicas admit one after the other.
    const limits = (await manager.query(
      `SELECT b.id AS business_id,
              CASE WHEN own.source IN ('config', 'meta') THEN own.tier ELSE star.tier END AS tier,
              (own.source IN ('config', 'meta') OR star.business_id IS NOT NULL) AS known
       FROM unnest($1::text[]) AS b(id)
       LEFT JOIN portfolio_limit own ON own.business_id = b.id
       LEFT JOIN portfolio_limit star ON star.business_id = '*'`,
      [businesses],
    )) as { business_id: string; tier: number | null; known: boolean }[];
    const limited = limits.filter((l) => l.known === true && l.tier !== null);
    // Every portfolio's recipients are counted, limited or not: Meta counts them from the first send,
    // so a tier learnt later (Meta's webhook) must find those already reached in its window.
    const limitedIds = new Set(limited.map((l) => l.business_id));
    const newcomers: { business: string; person: string }[] = [];
    for (const c of templates) if (!limitedIds.has(c.business_id)) newcomers.push({ business: c.business_id, person: c.person_id });
    if (limited.length === 0) {
      await PortfolioLimits.record(manager, newcomers, windowMs);
      return { over, newlyHeld: [] };
    }
    // A row per limited portfolio to lock (a `*` tier gives none of its own yet).
    await manager.query(
      `INSERT INTO portfolio_limit (business_id, tier, source) SELECT id, NULL, 'lock' FROM unnest($1::text[]) AS id ORDER BY id ON CONFLICT DO NOTHING`,
      [limited.map((l) => l.business_id)],
    );
    await manager.query(`SELECT 1 FROM portfolio_limit WHERE business_id = ANY($1::text[]) ORDER BY business_id FOR UPDATE`, [
      limited.map((l) => l.business_id),
    ]);
    for (const { business_id: business, tier } of limited) {
      const mine = templates.filter((c) => c.business_id === business);
      const [counted] = (await manager.query(
        `SELECT count(*)::int AS n FROM portfolio_recipient WHERE business_id = $1 AND first_at > now() - $2 * interval '1 millisecond'`,
        [business, windowMs],
      )) as { n: number }[];
      const already = new Set(
        (
          (await manager.query(
            `SELECT person_id FROM portfolio_recipient WHERE business_id = $1 AND person_id = ANY($2::char(64)[]) AND first_at > now() - $3 * interval '1 millisecond'`,
            [business, mine.map((c) => c.person_id), windowMs],
          )) as { person_id: string }[]
        ).map((r) => r.person_id),
      );
      let count = counted?.n ?? 0;
      for (const c of mine) {
        if (already.has(c.person_id)) continue;
        if (count < (tier as number)) {
          count++;
          already.add(c.person_id);
          newcomers.push({ business, person: c.person_id });
        } else over.add(c.decision_id);
      }
    }
    await PortfolioLimits.record(manager, newcomers, windowMs);
    if (over.size === 0) return { over, newlyHeld: [] };
    const deferred = (await manager.query(
      `WITH freed AS (
         SELECT business_id, min(first_at) + $2 * interval '1 millisecond' AS at FROM portfolio_recipient
         WHERE first_at > now() - $2 * interval '1 millisecond' GROUP BY business_id
       ), old AS (SELECT decision_id, held_reason FROM dispatch WHERE decision_id = ANY($1::text[]))
       UPDATE dispatch d SET held_reason = $3, updated_at = now(),
         next_attempt_at = GREATEST(now() + interval '1 second', COALESCE((SELECT at FROM freed WHERE freed.business_id = d.business_id), now() + interval '1 second'))
       FROM old WHERE d.decision_id = old.decision_id
       RETURNING d.decision_id, old.held_reason AS was`,
      [[...over], windowMs, PORTFOLIO_LIMIT_REASON],
    )) as unknown;
    const rows = (Array.isArray(deferred) && Array.isArray(deferred[0]) ? deferred[0] : deferred) as {
      decision_id: string;
      was: string | null;
    }[];
    held.inc({ reason: PORTFOLIO_LIMIT_REASON }, rows.filter((r) => r.was === null).length);
    return { over, newlyHeld: rows.filter((r) => r.was === null).map((r) => r.decision_id) };
  }

  /** Counts recipients in their portfolio's window from now (one already in it keeps its start). */
  private static async record(
    manager: EntityManager,
    recipients: readonly { business: string; person: string }[],
    windowMs: number,
  ): Promise<void> {
    if (recipients.length === 0) return;
    // Sorted and without repeats: one statement cannot touch a row twice, and replicas lock in one order.
    const unique = [...new Map(recipients.map((r) => [`${r.business}:${r.person}`, r])).values()].sort((a, b) =>
      a.business === b.business ? (a.person < b.person ? -1 : 1) : a.business < b.business ? -1 : 1,
    );
    await manager.query(
      `INSERT INTO portfolio_recipient (business_id, person_id, first_at) SELECT b, p, now() FROM unnest($1::text[], $2::char(64)[]) AS t(b, p)
       ON CONFLICT (business_id, person_id) DO UPDATE SET first_at = EXCLUDED.first_at
       WHERE portfolio_recipient.first_at <= now() - $3 * interval '1 millisecond'`,
      [unique.map((n) => n.business), unique.map((n) => n.person), windowMs],
    );
  }

  /** Meta said the portfolio's limit (webhook): it applies to every business of the account. */
  static async setFromMeta(manager: EntityManager, businessIds: readonly string[], tier: number | null): Promise<void> {
    if (businessIds.length === 0) return;
    await manager.query(
      `INSERT INTO portfolio_limit (business_id, tier, source) SELECT id, $2::int, 'meta' FROM unnest($1::text[]) AS id ORDER BY id
       ON CONFLICT (business_id) DO UPDATE SET tier = EXCLUDED.tier, source = 'meta', updated_at = now()`,
      [[...businessIds].sort(), tier],
    );
  }

  /** Forgets recipients out of the window, and exports each portfolio's limit and count. */
  async maintain(): Promise<void> {
    const windowMs = this.config.PORTFOLIO_WINDOW_MS;
    await this.dataSource.query(`DELETE FROM portfolio_recipient WHERE first_at <= now() - $1 * interval '1 millisecond'`, [windowMs]);
    const rows = (await this.dataSource.query(
      `SELECT l.business_id, l.tier, (SELECT count(*)::int FROM portfolio_recipient r WHERE r.business_id = l.business_id) AS n
       FROM portfolio_limit l WHERE l.source <> 'lock' OR l.tier IS NOT NULL`,
    )) as { business_id: string; tier: number | null; n: number }[];
    for (const row of rows) {
      limitGauge.set({ business_id: row.business_id }, row.tier ?? -1);
      recipientsGauge.set({ business_id: row.business_id }, row.n);
    }
    const others = (await this.dataSource.query(
      `SELECT business_id, count(*)::int AS n FROM portfolio_recipient GROUP BY business_id`,
    )) as { business_id: string; n: number }[];
    for (const row of others) recipientsGauge.set({ business_id: row.business_id }, row.n);
    if (rows.length === 0 && others.length === 0) this.logger.debug('no portfolio limit configured');
  }
}
