import { Injectable } from '@nestjs/common';
import { type MessageStatusV1 } from '@wt/contracts';
import { type EntityManager } from 'typeorm';
import { type AttributableSend, DecisionStore, type LatestSendQuery } from './decision.store';

export { type AttributableSend, type LatestSendQuery, volumeKey } from './decision.store';

/**
 * decision/'s public API for what happens after a decision (outcome/, launch/): the sends that
 * outcomes are attributed to, the delivered ranks statuses report, the people a pause suppressed,
 * and the per-person lock an evaluation takes (for a change that must not run beside one).
 * Deciding itself is DecisionEngine; DecisionStore stays inside decision/.
 */
@Injectable()
export class DecisionRecords {
  constructor(private readonly decisions: DecisionStore) {}

  /** Serialises work on these people with their evaluations (transaction-scoped advisory locks, in `manager`'s transaction). */
  lockPeople(manager: EntityManager, personIds: readonly string[]): Promise<void> {
    return this.decisions.lockPeople(manager, personIds);
  }

  /** Sends by decision id (statuses carry it). */
  sendsByDecisionId(decisionIds: readonly string[]): Promise<Map<string, AttributableSend>> {
    return this.decisions.sendsByDecisionId(decisionIds);
  }

  /** The latest send each event is attributed to, in the order given (undefined where none). */
  latestSends(events: readonly LatestSendQuery[]): Promise<(AttributableSend | undefined)[]> {
    return this.decisions.latestSends(events);
  }

  /** Records the ranks of delivered messages in their portfolio's month (never lowered). */
  recordDeliveredRanks(statuses: readonly MessageStatusV1[]): Promise<void> {
    return this.decisions.recordDeliveredRanks(statuses);
  }

  /** People the given campaigns suppressed as `business_paused`, in person id order after `after`, `limit` at a time. */
  pausedPeople(campaignIds: readonly string[], after: string, limit: number): Promise<string[]> {
    return this.decisions.pausedPeople(campaignIds, after, limit);
  }
}
