import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AttributableSend, DecisionRecords } from '../decision/decision-records.service';
import { type Example } from '../relevance/logistic-model';
import { ModelService } from '../relevance/model.service';
import { ReportRecords } from '../report/report-records.service';
import { ScoringConfig } from '../scoring.config';

/**
 * What each outcome teaches, as a label and a weight on P(conversion | sent): the label is the
 * purchase (what the business wants). A delivered message counts as a "no" that a later purchase
 * outweighs; a click is a secondary "yes", reads and replies weak ones (a reply is often a
 * question or a "stop"); an opt-out is a cost, a strong "no". Failed sends teach nothing about
 * relevance.
 */
export const OUTCOME_LESSONS = {
  delivered: { label: 0, weight: 1 },
  read: { label: 1, weight: 0.02 },
  replied: { label: 1, weight: 0.05 },
  clicked: { label: 1, weight: 0.2 },
  purchased: { label: 1, weight: 1 },
  opted_out: { label: 0, weight: 2 },
} as const satisfies Record<string, { label: 0 | 1; weight: number }>;
export type OutcomeKind = keyof typeof OUTCOME_LESSONS;

export interface ObservedOutcome {
  send: AttributableSend;
  kind: OutcomeKind;
  occurredAt: string;
}

/** Something a person did that may be the outcome of a send: of a business's, or of a business phone number's. */
export interface OutcomeEvent {
  personId: string;
  by: { businessId: string } | { phoneNumberId: string };
  kind: OutcomeKind;
  occurredAt: string;
}

@Injectable()
export class OutcomeLearner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly decisions: DecisionRecords,
    private readonly models: ModelService,
    private readonly config: ScoringConfig,
    private readonly reports: ReportRecords,
  ) {}

  /** Purchases by people a campaign of the same business held out, within the attribution window: its uplift's baseline. */
  async recordHoldoutPurchases(purchases: readonly { personId: string; businessId: string; occurredAt: string }[]): Promise<number> {
    return this.reports.recordHoldoutConversions(purchases, this.config.ATTRIBUTION_WINDOW_DAYS * 86_400_000);
  }

  /** The window before `at` in which a send gets credit (or blame) for what the person did. */
  attributionStart(at: string): Date {
    return new Date(Date.parse(at) - this.config.ATTRIBUTION_WINDOW_DAYS * 86_400_000);
  }

  /**
   * Records outcomes once each (a redelivered status or a replayed batch teaches nothing twice)
   * and learns from the new ones. Returns how many were new.
   */
  async learn(outcomes: readonly ObservedOutcome[]): Promise<number> {
    if (outcomes.length === 0) return 0;
    const unique = [...new Map(outcomes.map((o) => [`${o.send.decisionId}:${o.kind}`, o])).values()];
    const rows: { decision_id: string; kind: OutcomeKind }[] = await this.dataSource.query(
      `INSERT INTO learned_outcome (decision_id, kind, person_id, business_id, label, weight, occurred_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::char(64)[], $4::text[], $5::real[], $6::real[], $7::timestamptz[])
       ON CONFLICT DO NOTHING RETURNING decision_id, kind`,
      [
        unique.map((o) => o.send.decisionId),
        unique.map((o) => o.kind),
        unique.map((o) => o.send.personId),
        unique.map((o) => o.send.businessId),
        unique.map((o) => OUTCOME_LESSONS[o.kind].label),
        unique.map((o) => OUTCOME_LESSONS[o.kind].weight),
        unique.map((o) => o.occurredAt),
      ],
    );
    const fresh = new Set(rows.map((r) => `${r.decision_id}:${r.kind}`));
    const examples: Example[] = unique
      .filter((o) => fresh.has(`${o.send.decisionId}:${o.kind}`))
      .map((o) => ({ features: o.send.features, label: OUTCOME_LESSONS[o.kind].label, weight: OUTCOME_LESSONS[o.kind].weight }));
    await this.models.learn(examples);
    return examples.length;
  }

  /** Attributes an event to the person's latest send from that business or number, if any. */
  async attribute(
    personId: string,
    by: { businessId: string } | { phoneNumberId: string },
    kind: OutcomeKind,
    occurredAt: string,
  ): Promise<ObservedOutcome | undefined> {
    return (await this.attributeAll([{ personId, by, kind, occurredAt }]))[0];
  }

  /** `attribute` of many events in one round trip per form of `by`: the outcomes of those attributed, in order. */
  async attributeAll(events: readonly OutcomeEvent[]): Promise<ObservedOutcome[]> {
    if (events.length === 0) return [];
    const sends = await this.decisions.latestSends(
      events.map((e) => ({ personId: e.personId, by: e.by, since: this.attributionStart(e.occurredAt) })),
    );
    return events.flatMap((e, i) => {
      const send = sends[i];
      return send ? [{ send, kind: e.kind, occurredAt: e.occurredAt }] : [];
    });
  }
}
