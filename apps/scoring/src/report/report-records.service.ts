import { Injectable } from '@nestjs/common';
import { type BusinessSendingSignalV1, type MessagePricingV1 } from '@wt/contracts';
import { CampaignReportStore } from './campaign-report.store';
import { TemplatePauseStore } from './template-pause.store';

/**
 * report/'s public API for what feeds the campaign reports (outcome/, launch/): what Meta billed,
 * the held-out people's purchases, and the templates Meta paused. Each returns how many were new.
 * The stores stay inside report/.
 */
@Injectable()
export class ReportRecords {
  constructor(
    private readonly reports: CampaignReportStore,
    private readonly templatePauses: TemplatePauseStore,
  ) {}

  /** What Meta billed for messages (their statuses' `pricing`), once per message. */
  recordBilled(billed: readonly { decisionId: string; pricing: MessagePricingV1; occurredAt: string }[]): Promise<number> {
    return this.reports.recordBilled(billed);
  }

  /** Purchases by people a campaign of the same business held out, within `windowMs` after (once per campaign and person). */
  recordHoldoutConversions(
    purchases: readonly { personId: string; businessId: string; occurredAt: string }[],
    windowMs: number,
  ): Promise<number> {
    return this.reports.recordHoldoutConversions(purchases, windowMs);
  }

  /** Templates Meta paused or resumed (the dispatcher's `template_paused` and `template_resumed` signals). */
  recordTemplatePauses(signals: readonly BusinessSendingSignalV1[]): Promise<number> {
    return this.templatePauses.record(signals);
  }
}
