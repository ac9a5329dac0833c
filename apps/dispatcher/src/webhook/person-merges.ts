import { type PersonMergeV1 } from '@wt/contracts';
import { type OutgoingRecord } from '@wt/kafka';
import { type EntityManager } from 'typeorm';
import { type PersonMerge } from './webhook-identity';

/**
 * A BSUID-only person found to be a number's person (webhook-identity.ts), in the webhook's
 * transaction: the dispatcher's own rows move to the number's person (dispatches, ad clicks,
 * conversion events; the per-recipient pacing, unreachability and portfolio-window rows merged,
 * keeping the stricter of the two), and the merge is returned for `internal.identity.merges.v1`
 * (profiles moves the consents and the profile). A replayed merge moves nothing more.
 */
export async function applyPersonMerges(
  manager: EntityManager,
  merges: readonly PersonMerge[],
  mergedAt: string,
): Promise<OutgoingRecord<PersonMergeV1>[]> {
  const unique = [...new Map(merges.map((m) => [m.from, m])).values()];
  for (const { from, into } of unique) {
    await manager.query(`UPDATE dispatch SET person_id = $2 WHERE person_id = $1`, [from, into]);
    await manager.query(`UPDATE ad_click SET person_id = $2 WHERE person_id = $1`, [from, into]);
    await manager.query(`UPDATE conversion_event SET person_id = $2 WHERE person_id = $1`, [from, into]);
    // Pacing and limits: the later "next send" and unreachability, the earlier first send of the window.
    await manager.query(
      `WITH gone AS (DELETE FROM recipient_pace WHERE person_id = $1 RETURNING phone_number_id, next_at)
       INSERT INTO recipient_pace (phone_number_id, person_id, next_at) SELECT phone_number_id, $2, next_at FROM gone
       ON CONFLICT (phone_number_id, person_id) DO UPDATE SET next_at = GREATEST(recipient_pace.next_at, EXCLUDED.next_at)`,
      [from, into],
    );
    await manager.query(
      `WITH gone AS (DELETE FROM unreachable_recipient WHERE person_id = $1 RETURNING until, error_code)
       INSERT INTO unreachable_recipient (person_id, until, error_code) SELECT $2, until, error_code FROM gone
       ON CONFLICT (person_id) DO UPDATE SET until = GREATEST(unreachable_recipient.until, EXCLUDED.until)`,
      [from, into],
    );
    await manager.query(
      `WITH gone AS (DELETE FROM portfolio_recipient WHERE person_id = $1 RETURNING business_id, first_at)
       INSERT INTO portfolio_recipient (business_id, person_id, first_at) SELECT business_id, $2, first_at FROM gone
       ON CONFLICT (business_id, person_id) DO UPDATE SET first_at = LEAST(portfolio_recipient.first_at, EXCLUDED.first_at)`,
      [from, into],
    );
  }
  return unique.map(({ from, into, via }) => ({ key: into, value: { fromPersonId: from, intoPersonId: into, via, mergedAt } }));
}
