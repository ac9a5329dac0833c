import { type RetentionRule } from '@wt/database';

/**
 * The dispatch ledger's retention: a finished row (its send accepted, refused, unanswered, expired
 * or skipped) is deleted `days` after its last change; pending and sending rows never are. The
 * partial index `dispatch_finished_updated_at` (migration 1765238400000) serves exactly this condition.
 */
export function ledgerRetentionRules(days: number): RetentionRule[] {
  return [
    {
      name: 'dispatch',
      table: 'dispatch',
      where: `state IN ('accepted', 'rejected', 'unknown', 'expired', 'skipped') AND updated_at < now() - make_interval(days => $2::int)`,
      params: () => [days],
    },
  ];
}

export interface CostAndConversionRetention {
  /** `message_cost` rows, by when they were recorded (MESSAGE_COST_RETENTION_DAYS). */
  messageCostDays: number;
  /** `ad_click` rows, by when the person clicked (AD_CLICK_RETENTION_DAYS). */
  adClickDays: number;
  /** Finished `conversion_event` rows, by when the purchase was attributed (CONVERSION_RETENTION_DAYS). */
  conversionDays: number;
}

/**
 * The retention of what pricing and conversions keep (issue 17, points 3 and 7), purged in batches
 * by the same job as the ledger:
 * - `message_cost`: what each message was estimated and billed, kept for billing reconciliation
 *   against Meta's monthly invoices (13 months by default: a year back from the last invoice);
 * - `ad_click`: a click-to-WhatsApp ad click is only useful while a purchase it can be credited with
 *   may still go to the Conversions API: Meta credits a click for 7 days and takes events at most
 *   7 days old, so 14 days after the click no purchase can use it;
 * - `conversion_event`: a finished row (sent, rejected, expired or never to be sent) is kept while a
 *   replay of its purchase can come (`engagement.normalized.v1` keeps 7 days: the row's event id
 *   makes the replay a no-op) and for audit; a pending one never is (the sender expires it once its
 *   purchase is past Meta's 7 days, then it is finished).
 */
export function costAndConversionRetentionRules(days: CostAndConversionRetention): RetentionRule[] {
  return [
    {
      name: 'message_cost',
      table: 'message_cost',
      where: `recorded_at < now() - make_interval(days => $2::int)`,
      params: () => [days.messageCostDays],
    },
    {
      name: 'ad_click',
      table: 'ad_click',
      where: `clicked_at < now() - make_interval(days => $2::int)`,
      params: () => [days.adClickDays],
    },
    {
      name: 'conversion_event',
      table: 'conversion_event',
      where: `state <> 'pending' AND created_at < now() - make_interval(days => $2::int)`,
      params: () => [days.conversionDays],
    },
  ];
}
