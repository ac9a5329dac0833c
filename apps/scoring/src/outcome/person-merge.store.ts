import { Injectable } from '@nestjs/common';
import { type PersonMergeV1 } from '@wt/contracts';
import { counter } from '@wt/observability';
import { DataSource } from 'typeorm';
import { DecisionRecords } from '../decision/decision-records.service';

const mergedTotal = counter({
  name: 'wt_scoring_person_merges_total',
  help: "People known only by a business-scoped user id whose decisions, outcomes and reachability moved to the number's person",
});

/**
 * Scoring's side of `internal.identity.merges.v1`: what scoring holds about a person known only by a
 * business-scoped user id moves to the number's person they turned out to be, so the two are one for
 * the frequency caps, the holdout, the model's history and reachability. Both people are locked as
 * an evaluation locks them (`DecisionRecords.lockPeople`), so no decision is made for either meanwhile.
 * Where both hold a row for one campaign (a decision, a scheduled evaluation, a holdout conversion),
 * the number's person's row stays and the merged person's stays where it was (still found by its
 * decision id for its statuses). The merged person's profile goes with the tombstone profiles
 * publishes. A replayed merge moves nothing more.
 */
@Injectable()
export class PersonMergeStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly decisions: DecisionRecords,
  ) {}

  async merge(merges: readonly PersonMergeV1[]): Promise<void> {
    const unique = [...new Map(merges.filter((m) => m.fromPersonId !== m.intoPersonId).map((m) => [m.fromPersonId, m])).values()];
    for (const { fromPersonId: from, intoPersonId: into } of unique) {
      await this.dataSource.transaction(async (manager) => {
        await this.decisions.lockPeople(manager, [from, into]);
        for (const table of ['decision', 'scheduled_evaluation', 'holdout_conversion']) {
          await manager.query(
            `UPDATE ${table} t SET person_id = $2 WHERE t.person_id = $1
               AND NOT EXISTS (SELECT 1 FROM ${table} o WHERE o.person_id = $2 AND o.campaign_id = t.campaign_id)`,
            [from, into],
          );
        }
        await manager.query(`UPDATE learned_outcome SET person_id = $2 WHERE person_id = $1`, [from, into]);
        // Reachability: the later end of the two (the stricter).
        await manager.query(
          `WITH gone AS (DELETE FROM unreachable_person WHERE person_id = $1 RETURNING failed_at, until, error_code)
           INSERT INTO unreachable_person (person_id, failed_at, until, error_code) SELECT $2, failed_at, until, error_code FROM gone
           ON CONFLICT (person_id) DO UPDATE SET until = GREATEST(unreachable_person.until, EXCLUDED.until),
             failed_at = GREATEST(unreachable_person.failed_at, EXCLUDED.failed_at)`,
          [from, into],
        );
      });
    }
    if (unique.length > 0) mergedTotal.inc(unique.length);
  }
}
