import { Injectable } from '@nestjs/common';
import { type TargetingDecisionV1 } from '@wt/contracts';
import { type EntityManager } from 'typeorm';

export interface KnownDecision {
  outcome: 'send' | 'suppress';
  reason: string;
}

@Injectable()
export class DecisionStore {
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

  /** Records decisions; a stored `send` is never overwritten. */
  async save(manager: EntityManager, decisions: readonly TargetingDecisionV1[]): Promise<void> {
    if (decisions.length === 0) return;
    await manager.query(
      `INSERT INTO decision (campaign_id, person_id, decision_id, outcome, reason, score, model_version, explanation, decided_at)
       SELECT * FROM unnest($1::text[], $2::char(64)[], $3::text[], $4::text[], $5::text[], $6::real[], $7::text[], $8::jsonb[], $9::timestamptz[])
       ON CONFLICT (campaign_id, person_id) DO UPDATE SET
         outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, score = EXCLUDED.score,
         model_version = EXCLUDED.model_version, explanation = EXCLUDED.explanation, decided_at = EXCLUDED.decided_at
       WHERE decision.outcome <> 'send'`,
      [
        decisions.map((d) => d.campaignId),
        decisions.map((d) => d.personId),
        decisions.map((d) => d.decisionId),
        decisions.map((d) => d.outcome),
        decisions.map((d) => d.reason),
        decisions.map((d) => d.score),
        decisions.map((d) => d.modelVersion),
        decisions.map((d) => JSON.stringify(d.explanation)),
        decisions.map((d) => d.decidedAt),
      ],
    );
  }
}
