import { Injectable } from '@nestjs/common';
import { type EngagementNormalizedV1, type InboundMessageV1, type MessageStatusV1 } from '@wt/contracts';
import { DecisionRecords } from '../decision/decision-records.service';
import { EligibilityService } from '../eligibility/eligibility.service';
import { ReportRecords } from '../report/report-records.service';
import { ScoringConfig } from '../scoring.config';
import { type ObservedOutcome, OutcomeLearner } from './outcome.learner';

/**
 * What happened after our sends, as each input topic tells it: the outcomes the model learns from
 * (delivered, read, replied, clicked, purchased), what Meta billed, who can be reached again.
 */
@Injectable()
export class OutcomeIntake {
  constructor(
    private readonly learner: OutcomeLearner,
    private readonly decisions: DecisionRecords,
    private readonly eligibility: EligibilityService,
    private readonly reports: ReportRecords,
    private readonly config: ScoringConfig,
  ) {}

  /**
   * Delivered and read statuses of our sends (the decision id travels with the message) teach the
   * model; a 131026 failure marks the person unreachable, a later delivered or read status clears it.
   */
  async statuses(statuses: readonly MessageStatusV1[]): Promise<void> {
    await this.eligibility.recordReachability(statuses, [], this.config.UNREACHABLE_FOR_MS);
    // What Meta billed (the pricing of a sent or delivered status), once per message.
    await this.reports.recordBilled(
      statuses.flatMap((value) =>
        value.pricing && value.campaignId ? [{ decisionId: value.decisionId, pricing: value.pricing, occurredAt: value.occurredAt }] : [],
      ),
    );
    // The portfolio's delivered volume this month, which the next sends' volume tier is chosen by.
    await this.decisions.recordDeliveredRanks(statuses);
    const relevant = statuses.filter((s) => s.status === 'delivered' || s.status === 'read');
    const sends = await this.decisions.sendsByDecisionId([...new Set(relevant.map((s) => s.decisionId))]);
    const outcomes: ObservedOutcome[] = [];
    for (const status of relevant) {
      const send = sends.get(status.decisionId);
      if (send) outcomes.push({ send, kind: status.status === 'read' ? 'read' : 'delivered', occurredAt: status.occurredAt });
    }
    await this.learner.learn(outcomes);
  }

  /** A message (or a button press) to the number that sent a campaign: a reply. */
  async inbound(messages: readonly InboundMessageV1[]): Promise<void> {
    // Someone who writes to a business is reachable on WhatsApp.
    await this.eligibility.recordReachability([], messages, this.config.UNREACHABLE_FOR_MS);
    const outcomes = await this.learner.attributeAll(
      messages.map((m) => ({
        personId: m.personId,
        by: { phoneNumberId: m.phoneNumberId },
        kind: 'replied' as const,
        occurredAt: m.receivedAt,
      })),
    );
    // A tap on a template's quick-reply button is a click on that very message (the dispatcher resolved it).
    const taps = messages.filter((m) => m.kind === 'button' && m.repliesTo);
    const tapped = await this.decisions.sendsByDecisionId([...new Set(taps.map((m) => m.repliesTo!.decisionId))]);
    const clicks: ObservedOutcome[] = taps.flatMap((m) => {
      const send = tapped.get(m.repliesTo!.decisionId);
      return send ? [{ send, kind: 'clicked' as const, occurredAt: m.receivedAt }] : [];
    });
    await this.learner.learn([...outcomes, ...clicks]);
  }

  /** A purchase (the conversion) or a click (a secondary signal) on a business's own pages within the attribution window of its message. */
  async engagements(engagements: readonly EngagementNormalizedV1[]): Promise<void> {
    const attributable = engagements.filter((e) => (e.type === 'purchase' || e.type === 'click') && e.businessId);
    const outcomes = await this.learner.attributeAll(
      attributable.map((e) => ({
        personId: e.personId,
        by: { businessId: e.businessId! },
        kind: e.type === 'purchase' ? ('purchased' as const) : ('clicked' as const),
        occurredAt: e.occurredAt,
      })),
    );
    await this.learner.learn(outcomes);
    await this.learner.recordHoldoutPurchases(
      attributable.flatMap((e) =>
        e.type === 'purchase' && e.businessId ? [{ personId: e.personId, businessId: e.businessId, occurredAt: e.occurredAt }] : [],
      ),
    );
  }
}
