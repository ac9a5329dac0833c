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
