import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { DispatchLedger, type LedgerRow } from './dispatch-ledger';
import { type OutcomeRecords, SendOutcomes } from './send-outcomes';
import { type SendConsequence } from './send-consequence';

/**
 * What the webhook learns about the platform's sends, written in the webhook's transaction
 * (`manager`): statuses recorded on the ledger, a failed message's consequence, which events were
 * already handled, which business a number is, and a merged person's rows. The dispatch module's
 * door for the webhook: the ledger itself is not exported.
 */
@Injectable()
export class SendTracking {
  constructor(
    private readonly ledger: DispatchLedger,
    private readonly outcomes: SendOutcomes,
  ) {}

  /** The send's row if this status is new for its message; undefined for a redelivery, a retired attempt or an unknown message. */
  recordStatus(manager: EntityManager, wamid: string, decisionId: string | undefined, status: string, errorCode?: number) {
    return this.ledger.recordStatus(manager, wamid, decisionId, status, errorCode);
  }

  /** Whether a status's message is (or was, for a retried attempt) one of the platform's sends. */
  knowsMessage(manager: EntityManager, wamid: string, decisionId: string | undefined): Promise<boolean> {
    return this.ledger.knowsMessage(manager, wamid, decisionId);
  }

  /** False when the webhook event was already handled (a redelivery). */
  firstTime(manager: EntityManager, eventKey: string): Promise<boolean> {
    return this.ledger.firstTime(manager, eventKey);
  }

  /** The business a phone number belongs to (from campaigns and sends). */
  businessOf(manager: EntityManager, phoneNumberId: string): Promise<string | undefined> {
    return this.ledger.businessOf(manager, phoneNumberId);
  }

  /** A message Meta reports `failed`: its consequence (retry, give up, revoke consent...), what to publish added to `out`. */
  failed(
    manager: EntityManager,
    row: LedgerRow,
    failure: { code: number; title: string; wamid: string },
    out: OutcomeRecords,
  ): Promise<SendConsequence> {
    return this.outcomes.failed(manager, row, failure, out);
  }

  /**
   * A BSUID-only person found to be a number's person: their dispatches move to that person, and
   * the per-recipient pacing, unreachability and portfolio-window rows are merged, keeping the
   * stricter of the two (the later next send and unreachability, the earlier first send of the window).
   */
  async movePerson(manager: EntityManager, from: string, into: string): Promise<void> {
    await manager.query(`UPDATE dispatch SET person_id = $2 WHERE person_id = $1`, [from, into]);
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
}
