import { Injectable } from '@nestjs/common';
import { type TargetingDecisionV1 } from '@wt/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { type FeatureValues, type MessagingHistory } from '../relevance/features';

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

const DAY_MS = 86_400_000;

/** A decision as a business may read it later: everything but the sealed contact. */
export function auditView(decision: TargetingDecisionV1): TargetingDecisionV1 {
  if (!decision.send) return decision;
  const { contact: _contact, ...send } = decision.send;
  return { ...decision, send: send as TargetingDecisionV1['send'] };
}

@Injectable()
export class DecisionStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Current decisions for these pairs, locked so two replicas cannot both decide to send. */
  async lockKnown(manager: EntityManager, pairs: readonly { campaignId: string; personId: string }[]): Promise<Map<string, KnownDecision>> {
    if (pairs.length === 0) return new Map();
    const rows: { campaign_id: string; person_id: string; outcome: 'send' | 'suppress'; reason: string }[] = await manager.query(
      `SELECT d.campaign_id, d.person_id, d.outcome, d.reason
       FROM decision d JOIN unnest($1::text[], $2::char(64)[]) AS p(campaign_id, person_id)
         ON d.campaign_id = p.campaign_id AND d.person_id = p.person_id
       ORDER BY d.campaign_id, d.person_id
       FOR UPDATE OF d`,
      [pairs.map((p) => p.campaignId), pairs.map((p) => p.personId)],
    );
    return new Map(rows.map((r) => [`${r.campaign_id}:${r.person_id}`, { outcome: r.outcome, reason: r.reason }]));
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
    const result = new Map<string, MessagingHistory>();
    if (personIds.length === 0) return result;
    const get = (personId: string) => {
      let h = result.get(personId);
      if (!h) result.set(personId, (h = { sentLastDay: 0, sentLastWeek: 0, byBusiness: {}, responses: {} }));
      return h;
    };
    const sends: { person_id: string; business_id: string; day: string; week: string }[] = await manager.query(
      `SELECT person_id, business_id, count(*) FILTER (WHERE decided_at > $2) AS day, count(*) AS week
       FROM decision WHERE person_id = ANY($1::char(64)[]) AND outcome = 'send' AND decided_at > $3
       GROUP BY person_id, business_id`,
      [personIds, new Date(now.getTime() - DAY_MS).toISOString(), new Date(now.getTime() - 7 * DAY_MS).toISOString()],
    );
    for (const row of sends) {
      const h = get(row.person_id.trim());
      const day = Number(row.day);
      const week = Number(row.week);
      h.sentLastDay += day;
      h.sentLastWeek += week;
      h.byBusiness[row.business_id] = { sentLastDay: day, sentLastWeek: week };
    }
    const outcomes: { person_id: string; business_id: string; positive: string; negative: string }[] = await manager.query(
      `SELECT person_id, business_id, count(*) FILTER (WHERE label > 0.5) AS positive, count(*) FILTER (WHERE label <= 0.5) AS negative
       FROM learned_outcome WHERE person_id = ANY($1::char(64)[]) GROUP BY person_id, business_id`,
      [personIds],
    );
    for (const row of outcomes)
      get(row.person_id.trim()).responses[row.business_id] = { positive: Number(row.positive), negative: Number(row.negative) };
    return result;
  }

  /** Records decisions with their features; a stored send or holdout is never overwritten. */
  async save(manager: EntityManager, decisions: readonly { decision: TargetingDecisionV1; features: FeatureValues }[]): Promise<void> {
    if (decisions.length === 0) return;
    const d = decisions.map((x) => x.decision);
    await manager.query(
      `INSERT INTO decision (campaign_id, person_id, decision_id, outcome, reason, score, model_version, explanation, decided_at, business_id, holdout, features, body)
       SELECT * FROM unnest($1::text[], $2::char(64)[], $3::text[], $4::text[], $5::text[], $6::real[], $7::text[], $8::jsonb[], $9::timestamptz[],
                            $10::text[], $11::boolean[], $12::jsonb[], $13::jsonb[])
       ON CONFLICT (campaign_id, person_id) DO UPDATE SET
         outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, score = EXCLUDED.score,
         model_version = EXCLUDED.model_version, explanation = EXCLUDED.explanation, decided_at = EXCLUDED.decided_at,
         business_id = EXCLUDED.business_id, holdout = EXCLUDED.holdout, features = EXCLUDED.features, body = EXCLUDED.body
       WHERE decision.outcome <> 'send' AND decision.reason <> 'holdout'`,
      [
        d.map((x) => x.campaignId),
        d.map((x) => x.personId),
        d.map((x) => x.decisionId),
        d.map((x) => x.outcome),
        d.map((x) => x.reason),
        d.map((x) => x.score),
        d.map((x) => x.modelVersion),
        d.map((x) => JSON.stringify(x.explanation)),
        d.map((x) => x.decidedAt),
        d.map((x) => x.businessId),
        d.map((x) => x.explanation.holdout === true),
        decisions.map((x) => JSON.stringify(x.features)),
        d.map((x) => JSON.stringify(auditView(x))),
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
    const rows: { decision_id: string; person_id: string; business_id: string; features: FeatureValues }[] = await this.dataSource.query(
      'businessId' in by
        ? `SELECT d.decision_id, d.person_id, d.business_id, d.features FROM decision d
           WHERE d.person_id = $1 AND d.business_id = $2 AND d.outcome = 'send' AND d.decided_at > $3 AND d.features IS NOT NULL
           ORDER BY d.decided_at DESC LIMIT 1`
        : `SELECT d.decision_id, d.person_id, d.business_id, d.features FROM decision d JOIN campaign c ON c.campaign_id = d.campaign_id
           WHERE d.person_id = $1 AND c.body->>'phoneNumberId' = $2 AND d.outcome = 'send' AND d.decided_at > $3 AND d.features IS NOT NULL
           ORDER BY d.decided_at DESC LIMIT 1`,
      [personId, 'businessId' in by ? by.businessId : by.phoneNumberId, since.toISOString()],
    );
    const r = rows[0];
    return r && { decisionId: r.decision_id, personId: r.person_id.trim(), businessId: r.business_id, features: r.features };
  }
}
