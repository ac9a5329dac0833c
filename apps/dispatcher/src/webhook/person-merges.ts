import { type PersonMergeV1 } from '@wt/contracts';
import { type OutgoingRecord } from '@wt/kafka';
import { type EntityManager } from 'typeorm';
import { type PersonMerge } from './webhook-identity';

/** A domain that holds rows of a person: it moves them to the person they were found to be. */
export interface PersonRows {
  movePerson(manager: EntityManager, from: string, into: string): Promise<void>;
}

/**
 * A BSUID-only person found to be a number's person (webhook-identity.ts), in the webhook's
 * transaction: the dispatcher's own rows move to the number's person (dispatches and the
 * per-recipient pacing, unreachability and portfolio-window rows: `SendTracking`; ad clicks and
 * conversion events: `ConversionAttribution`), and the merge is returned for
 * `internal.identity.merges.v1` (profiles moves the consents and the profile). A replayed merge
 * moves nothing more.
 */
export async function applyPersonMerges(
  manager: EntityManager,
  holders: readonly PersonRows[],
  merges: readonly PersonMerge[],
  mergedAt: string,
): Promise<OutgoingRecord<PersonMergeV1>[]> {
  const unique = [...new Map(merges.map((m) => [m.from, m])).values()];
  for (const { from, into } of unique) for (const holder of holders) await holder.movePerson(manager, from, into);
  return unique.map(({ from, into, via }) => ({ key: into, value: { fromPersonId: from, intoPersonId: into, via, mergedAt } }));
}
