import { Injectable } from '@nestjs/common';
import { type MessageStatusV1, type TargetingDecisionV1 } from '@wt/contracts';
import { returnedRows } from '@wt/database';
import { type OutgoingRecord } from '@wt/kafka';
import { monthOf } from '@wt/pricing';
import { DataSource, type EntityManager } from 'typeorm';
import { type BlockRow, blockedBusinessKeys, blocksOf, blocksSql, type SendingBlocks } from '../eligibility/eligibility.service';
import {
  DEFAULT_RATES,
  type FeatureValues,
  type MessagingHistory,
  NO_RESPONSES,
  type PopulationRates,
  type ResponseCounts,
} from '../relevance/features';

export interface KnownDecision {
  outcome: 'send' | 'suppress';
  reason: string;
}

/** A send that an outcome can be attributed to. */
export interface AttributableSend {
  decisionId: string;
  personId: string;
  businessId: string;
  features: FeatureValues;
}

/** One event to attribute: the person, the business or business phone number it concerns, the window's start. */
export interface LatestSendQuery {
  personId: string;
  by: { businessId: string } | { phoneNumberId: string };
  since: Date;
}

const DAY_MS = 86_400_000;

/** Key of a monthly volume (see `DecisionStore.monthlyVolumes`). */
export const volumeKey = (businessId: string, category: string, market: string) => `${businessId}|${category}|${market}`;

/**
 * Per person (the char(64)[] parameter `people`) and business: sends since `day` and since `week`
 * (timestamp parameters; rows `sent`, a and b) and responses (rows `r:<outcome kind>`: the count
 * in a), in one statement.
 */
const historySql = (people: string, day: string, week: string) =>
  `SELECT 'sent' AS kind, person_id, business_id, count(*) FILTER (WHERE decided_at > ${day}) AS a, count(*) AS b
       FROM decision WHERE person_id = ANY(${people}::char(64)[]) AND outcome = 'send' AND decided_at > ${week}
       GROUP BY person_id, business_id
       UNION ALL
       SELECT 'r:' || kind, person_id, business_id, count(*), 0
       FROM learned_outcome WHERE person_id = ANY(${people}::char(64)[]) GROUP BY person_id, business_id, kind`;

/** Outcome kinds (learned_outcome.kind) as the response counts they add to. */
const RESPONSE_FIELDS: Record<string, keyof ResponseCounts> = {
  'r:delivered': 'delivered',
  'r:read': 'read',
  'r:clicked': 'clicked',
  'r:purchased': 'purchased',
  'r:opted_out': 'optedOut',
};

interface HistoryRow {
  kind: 'sent' | `r:${string}`;
  person_id: string;
  business_id: string;
  a: string | number;
  b: string | number;
}

function historyOf(rows: readonly HistoryRow[]): Map<string, MessagingHistory> {
  const result = new Map<string, MessagingHistory>();
  for (const row of rows) {
    const personId = row.person_id.trim();
    let h = result.get(personId);
    if (!h) result.set(personId, (h = { sentLastDay: 0, sentLastWeek: 0, byBusiness: {}, responses: {} }));
    if (row.kind !== 'sent') {
      const field = RESPONSE_FIELDS[row.kind];
      if (field) (h.responses[row.business_id] ??= { ...NO_RESPONSES })[field] = Number(row.a);
      continue;
    }
    const day = Number(row.a);
    const week = Number(row.b);
    h.sentLastDay += day;
    h.sentLastWeek += week;
    h.byBusiness[row.business_id] = { sentLastDay: day, sentLastWeek: week };
  }
  return result;
}

/** The JSON document of `DecisionStore.save` as rows: `x` (an item), `d` (its decision), `n` (its place). */
const INPUT_SQL = `SELECT x, x->'decision' AS d, n FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(x, n)`;

/**
 * The decisions of `input` recorded, each with its body as a business may read it later: everything
 * but the sealed contact (`send.contact`). A stored send or holdout is never overwritten.
 */
const SAVE_SQL = `INSERT INTO decision (campaign_id, person_id, decision_id, outcome, reason, score, model_version, explanation, decided_at, business_id, holdout, features, body,
                             estimated_cost_micros, cost_currency, cost_category, cost_market)
       SELECT d->>'campaignId', d->>'personId', d->>'decisionId', d->>'outcome', d->>'reason', (d->>'score')::real, d->>'modelVersion',
              d->'explanation', (d->>'decidedAt')::timestamptz, d->>'businessId', COALESCE(d->'explanation'->'holdout' = 'true'::jsonb, false),
              x->'features', d #- '{send,contact}',
              (d->'estimatedCost'->>'micros')::bigint, d->'estimatedCost'->>'currency', d->'estimatedCost'->>'category', d->'estimatedCost'->>'market'
       FROM input
       ON CONFLICT (campaign_id, person_id) DO UPDATE SET
         outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, score = EXCLUDED.score,
         model_version = EXCLUDED.model_version, explanation = EXCLUDED.explanation, decided_at = EXCLUDED.decided_at,
         business_id = EXCLUDED.business_id, holdout = EXCLUDED.holdout, features = EXCLUDED.features, body = EXCLUDED.body,
         estimated_cost_micros = EXCLUDED.estimated_cost_micros, cost_currency = EXCLUDED.cost_currency,
         cost_category = EXCLUDED.cost_category, cost_market = EXCLUDED.cost_market
       WHERE decision.outcome <> 'send' AND decision.reason <> 'holdout'`;

/** How long the population's response rates are reused before they are counted again. */
const RATES_TTL_MS = 60_000;
/** Messages delivered before the measured rates replace the defaults entirely (they are blended until then). */
const RATES_PRIOR_MESSAGES = 200;

@Injectable()
export class DecisionStore {
  private rates?: { at: number; value: Promise<PopulationRates> };

  constructor(private readonly dataSource: DataSource) {}

  /**
   * The population's response rates per message delivered (reads, clicks, purchases), what each
   * person's own rates are shrunk toward; counted from the outcomes learned at most once a minute,
   * and blended with DEFAULT_RATES while few messages were delivered.
   */
  populationRates(now = Date.now()): Promise<PopulationRates> {
    if (this.rates && now - this.rates.at < RATES_TTL_MS) return this.rates.value;
    const value = (async () => {
      const rows: { kind: string; n: string }[] = await this.dataSource.query(
        `SELECT kind, count(*) AS n FROM learned_outcome WHERE kind IN ('delivered', 'read', 'clicked', 'purchased') GROUP BY kind`,
      );
      const n = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
      const delivered = n('delivered') + RATES_PRIOR_MESSAGES;
      const blend = (kind: string, fallback: number) => (n(kind) + RATES_PRIOR_MESSAGES * fallback) / delivered;
      return {
        read: blend('read', DEFAULT_RATES.read),
        clicked: blend('clicked', DEFAULT_RATES.clicked),
        purchased: blend('purchased', DEFAULT_RATES.purchased),
      };
    })();
    this.rates = { at: now, value };
    value.catch(() => (this.rates = undefined));
    return value;
  }

  /**
   * What an evaluation reads once its people are locked (`lockPeople`), in one round trip: the
   * current decisions of these pairs, locked (in one order) so two replicas cannot both decide to
   * send, the people's messaging history (as `history`) and the sending blocks in force (as
   * `EligibilityService.blocks`).
   */
  async lockKnownWithContext(
    manager: EntityManager,
    pairs: readonly { campaignId: string; personId: string }[],
    businessIds: readonly string[],
    now: Date,
  ): Promise<{ known: Map<string, KnownDecision>; history: Map<string, MessagingHistory>; blocks: SendingBlocks }> {
    const personIds = [...new Set(pairs.map((p) => p.personId))];
    const rows: {
      kind: 'known' | HistoryRow['kind'] | BlockRow['kind'];
      id: string;
      key: string | null;
      a: string | null;
      b: string | null;
      until: Date | null;
    }[] = await manager.query(
      `WITH known AS (
         SELECT d.campaign_id, d.person_id, d.outcome, d.reason
         FROM decision d JOIN unnest($1::text[], $2::char(64)[]) AS p(campaign_id, person_id)
           ON d.campaign_id = p.campaign_id AND d.person_id = p.person_id
         ORDER BY d.campaign_id, d.person_id
         FOR UPDATE OF d
       ), history AS (
         ${historySql('$3', '$4', '$5')}
       ), blocks AS (
         ${blocksSql('$3', '$7', '$6')}
       )
       SELECT 'known' AS kind, person_id::text AS id, campaign_id AS key, outcome AS a, reason AS b, NULL::timestamptz AS until FROM known
       UNION ALL
       SELECT kind, person_id::text, business_id, a::text, b::text, NULL FROM history
       UNION ALL
       SELECT kind, id, NULL, NULL, NULL, until FROM blocks`,
      [
        pairs.map((p) => p.campaignId),
        pairs.map((p) => p.personId),
        personIds,
        new Date(now.getTime() - DAY_MS).toISOString(),
        new Date(now.getTime() - 7 * DAY_MS).toISOString(),
        now,
        blockedBusinessKeys(businessIds),
      ],
    );
    const known = new Map<string, KnownDecision>();
    const historyRows: HistoryRow[] = [];
    const blockRows: BlockRow[] = [];
    for (const row of rows) {
      if (row.kind === 'known') known.set(`${row.key}:${row.id}`, { outcome: row.a as KnownDecision['outcome'], reason: row.b! });
      else if (row.kind === 'sent' || row.kind.startsWith('r:'))
        historyRows.push({ kind: row.kind as HistoryRow['kind'], person_id: row.id, business_id: row.key!, a: row.a!, b: row.b! });
      else blockRows.push({ kind: row.kind as BlockRow['kind'], id: row.id, until: row.until });
    }
    return { known, history: historyOf(historyRows), blocks: blocksOf(blockRows) };
  }

  /**
   * Serialises evaluations of the same people across replicas (transaction-scoped advisory locks,
   * taken in one order), so frequency caps hold when two replicas decide for one person at once.
   */
  async lockPeople(manager: EntityManager, personIds: readonly string[]): Promise<void> {
    const sorted = [...new Set(personIds)].sort();
    if (sorted.length === 0) return;
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('person:' || p, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n`,
      [sorted],
    );
  }

  /** Sends and responses per person, as the frequency caps and the model's features need them. */
  async history(manager: EntityManager, personIds: readonly string[], now: Date): Promise<Map<string, MessagingHistory>> {
    if (personIds.length === 0) return new Map();
    const rows: HistoryRow[] = await manager.query(historySql('$1', '$2', '$3'), [
      personIds,
      new Date(now.getTime() - DAY_MS).toISOString(),
      new Date(now.getTime() - 7 * DAY_MS).toISOString(),
    ]);
    return historyOf(rows);
  }

  /**
   * Records decisions with their features; a stored send or holdout is never overwritten. With
   * `outbox`, the same statement also writes them to that outbox table as one row of records
   * (keyed by person, with the person's `headers`, as `TransactionalOutbox.add` writes them), and
   * returns the row's id and its records: each decision is serialized once, its JSON text serving
   * its row, the outbox's and the Kafka record's value (`valueJson`).
   */
  async save(
    manager: EntityManager,
    decisions: readonly { decision: TargetingDecisionV1; features: FeatureValues }[],
    outbox?: { table: string; headers?: ReadonlyMap<string, Record<string, string>> },
  ): Promise<{ outboxId?: string; records: OutgoingRecord<TargetingDecisionV1>[] }> {
    if (decisions.length === 0) return { records: [] };
    // One JSON document for all of them (the decision as published, its features and headers):
    // jsonb[] parameters would have the driver escape every document again into an array literal.
    const records: OutgoingRecord<TargetingDecisionV1>[] = [];
    const items: string[] = [];
    for (const { decision, features } of decisions) {
      const valueJson = JSON.stringify(decision);
      const headers = outbox?.headers?.get(decision.personId);
      records.push({ key: decision.personId, value: decision, headers, valueJson });
      items.push(
        `{"decision":${valueJson},"features":${JSON.stringify(features)}${headers ? `,"headers":${JSON.stringify(headers)}` : ''}}`,
      );
    }
    const document = `[${items.join(',')}]`;
    if (!outbox) {
      await manager.query(`WITH input AS (${INPUT_SQL}) ${SAVE_SQL}`, [document]);
      return { records };
    }
    const rows = returnedRows<{ id: string }>(
      await manager.query(
        `WITH input AS (${INPUT_SQL}), saved AS (${SAVE_SQL})
         INSERT INTO ${outbox.table} (records)
         SELECT jsonb_agg(jsonb_build_object('key', d->>'personId', 'value', d)
                          || CASE WHEN x ? 'headers' THEN jsonb_build_object('headers', x->'headers') ELSE '{}'::jsonb END ORDER BY n)
         FROM input RETURNING id`,
        [document],
      ),
    );
    const outboxId = rows[0]?.id;
    if (!outboxId) throw new Error(`${outbox.table}: the insert returned no id`);
    return { outboxId, records };
  }

  /**
   * Messages these business portfolios had delivered this calendar month (UTC) per pricing category
   * and market, as the dispatcher counted them (`recordDeliveredRanks`): the volume a volume tier is
   * chosen by, as Meta bills.
   */
  async monthlyVolumes(
    manager: EntityManager,
    businessIds: readonly string[],
    categories: readonly string[],
    now: Date,
  ): Promise<Map<string, number>> {
    if (businessIds.length === 0 || categories.length === 0) return new Map();
    const rows: { business_id: string; category: string; market: string; delivered: string }[] = await manager.query(
      `SELECT business_id, category, market, delivered FROM portfolio_delivered_volume
       WHERE business_id = ANY($1::text[]) AND category = ANY($2::text[]) AND month = $3`,
      [businessIds, categories, monthOf(now)],
    );
    return new Map(rows.map((r) => [volumeKey(r.business_id, r.category, r.market), Number(r.delivered)]));
  }

  /**
   * The ranks of delivered messages in their portfolio's month (the `monthlyRank` of a status's
   * pricing): each count keeps the highest seen, so replays and out-of-order statuses never lower it.
   */
  async recordDeliveredRanks(statuses: readonly MessageStatusV1[]): Promise<void> {
    const latest = new Map<string, { businessId: string; month: string; category: string; market: string; rank: number }>();
    for (const s of statuses) {
      const p = s.pricing;
      if (!p?.monthlyRank || !p.market) continue;
      const entry = {
        businessId: s.businessId,
        month: monthOf(new Date(s.occurredAt)),
        category: p.category,
        market: p.market,
        rank: p.monthlyRank,
      };
      const key = `${volumeKey(entry.businessId, entry.category, entry.market)}|${entry.month}`;
      if ((latest.get(key)?.rank ?? 0) < entry.rank) latest.set(key, entry);
    }
    if (latest.size === 0) return;
    const all = [...latest.values()];
    await this.dataSource.query(
      `INSERT INTO portfolio_delivered_volume AS v (business_id, month, category, market, delivered)
       SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::bigint[])
       ON CONFLICT (business_id, month, category, market) DO UPDATE SET delivered = GREATEST(v.delivered, EXCLUDED.delivered)`,
      [
        all.map((e) => e.businessId),
        all.map((e) => e.month),
        all.map((e) => e.category),
        all.map((e) => e.market),
        all.map((e) => String(e.rank)),
      ],
    );
  }

  /** A decision of this business, as recorded (without the contact); undefined for any other. */
  async findOwn(businessId: string, decisionId: string): Promise<TargetingDecisionV1 | undefined> {
    const rows: { body: TargetingDecisionV1 | null }[] = await this.dataSource.query(
      `SELECT d.body FROM decision d JOIN campaign c ON c.campaign_id = d.campaign_id
       WHERE d.decision_id = $1 AND c.business_id = $2`,
      [decisionId, businessId],
    );
    return rows[0]?.body ?? undefined;
  }

  /** Sends by decision id (statuses carry it). */
  async sendsByDecisionId(decisionIds: readonly string[]): Promise<Map<string, AttributableSend>> {
    if (decisionIds.length === 0) return new Map();
    const rows: { decision_id: string; person_id: string; business_id: string; features: FeatureValues | null }[] =
      await this.dataSource.query(
        `SELECT decision_id, person_id, business_id, features FROM decision
       WHERE decision_id = ANY($1::text[]) AND outcome = 'send' AND features IS NOT NULL`,
        [decisionIds],
      );
    return new Map(
      rows.map((r) => [
        r.decision_id,
        { decisionId: r.decision_id, personId: r.person_id.trim(), businessId: r.business_id, features: r.features! },
      ]),
    );
  }

  /**
   * The latest send to a person from a business (or from a business phone number) since `since`:
   * what a reply, a purchase or an opt-out is attributed to.
   */
  async latestSend(
    personId: string,
    by: { businessId: string } | { phoneNumberId: string },
    since: Date,
  ): Promise<AttributableSend | undefined> {
    return (await this.latestSends([{ personId, by, since }]))[0];
  }

  /**
   * `latestSend` of many events at once, in the order given (undefined where none): one statement
   * per form of `by` (a business, a business phone number), not one per event.
   */
  async latestSends(events: readonly LatestSendQuery[]): Promise<(AttributableSend | undefined)[]> {
    const found = new Array<AttributableSend | undefined>(events.length);
    for (const form of ['businessId', 'phoneNumberId'] as const) {
      // Each event of this form, with its place in `events` and the business or number it concerns.
      const asked = events.flatMap((e, at) => {
        const by = e.by as Partial<Record<typeof form, string>>;
        return by[form] === undefined ? [] : [{ at, personId: e.personId, key: by[form], since: e.since.toISOString() }];
      });
      if (asked.length === 0) continue;
      const rows: { n: string; decision_id: string; person_id: string; business_id: string; features: FeatureValues }[] =
        await this.dataSource.query(
          `SELECT e.n, d.decision_id, d.person_id, d.business_id, d.features
           FROM unnest($1::char(64)[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS e(person_id, by_key, since, n)
           CROSS JOIN LATERAL (
             SELECT d.decision_id, d.person_id, d.business_id, d.features FROM decision d
             ${form === 'businessId' ? 'WHERE d.business_id = e.by_key' : `JOIN campaign c ON c.campaign_id = d.campaign_id WHERE c.body->>'phoneNumberId' = e.by_key`}
               AND d.person_id = e.person_id AND d.outcome = 'send' AND d.decided_at > e.since AND d.features IS NOT NULL
             ORDER BY d.decided_at DESC LIMIT 1
           ) d`,
          [asked.map((e) => e.personId), asked.map((e) => e.key), asked.map((e) => e.since)],
        );
      for (const r of rows) {
        const event = asked[Number(r.n) - 1];
        if (event)
          found[event.at] = { decisionId: r.decision_id, personId: r.person_id.trim(), businessId: r.business_id, features: r.features };
      }
    }
    return found;
  }

  /** People the given campaigns suppressed as `business_paused`, in person id order after `after`, `limit` at a time. */
  async pausedPeople(campaignIds: readonly string[], after: string, limit: number): Promise<string[]> {
    const rows: { person_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT person_id FROM decision WHERE campaign_id = ANY($1::text[]) AND reason = 'business_paused' AND person_id > $2 ORDER BY person_id LIMIT $3`,
      [campaignIds, after, limit],
    );
    return rows.map((r) => r.person_id);
  }
}
