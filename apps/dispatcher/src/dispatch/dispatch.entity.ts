import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type QueuedMessage } from './dispatch-ledger';

/**
 * The dispatch ledger: one row per decision to send, with explicit states.
 *   pending  → queued, not yet handed to Meta (due at `next_attempt_at`)
 *   sending  → about to call Meta (written before the call: after a crash, we know we may have sent)
 *   accepted → Meta returned a wamid
 *   rejected → Meta refused (error_code)
 *   unknown  → no answer (timeout, dropped connection): never resent blindly
 *   expired  → not sent in time: the message would no longer be wanted
 *   skipped  → not sent on purpose (a consequence of an earlier error, e.g. the person is unreachable)
 * The columns are those the migrations make: `apps/dispatcher/src/schema.integration-spec.ts` fails
 * when they differ.
 */
@Entity({ name: 'dispatch' })
export class DispatchEntity {
  @PrimaryColumn({ name: 'decision_id', type: 'text' })
  decisionId: string;

  @Column({ name: 'person_id', type: 'char', length: 64 })
  personId: string;

  @Column({ name: 'business_id', type: 'text' })
  businessId: string;

  @Column({ name: 'campaign_id', type: 'text' })
  campaignId: string;

  @Column({ name: 'phone_number_id', type: 'text' })
  phoneNumberId: string;

  @Column({ type: 'text' })
  state: 'pending' | 'sending' | 'accepted' | 'rejected' | 'unknown' | 'expired' | 'skipped';

  @Column({ type: 'text', nullable: true, unique: true })
  wamid: string | null;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode: number | null;

  /** Webhook statuses already published, so a redelivered webhook is not published twice. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  statuses: string[];

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** A campaign's template, or a free-form text (an assistant reply). */
  @Column({ type: 'text', default: 'template' })
  kind: 'template' | 'text';

  /** What to send, the contact sealed; null on rows from before the send queue. */
  @Column({ type: 'jsonb', nullable: true })
  message: QueuedMessage | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt: Date | null;

  /** The fencing token of the send's claim, one more at every claim (see DispatchLedger). */
  @Column({ name: 'claim_epoch', type: 'bigint', default: 0 })
  claimEpoch: string;

  @Column({ name: 'marketing_limit_retries', type: 'integer', default: 0 })
  marketingLimitRetries: number;

  /** Why a `pending` send is held back before any call (`portfolio_messaging_limit`); null: not held. */
  @Column({ name: 'held_reason', type: 'text', nullable: true })
  heldReason: string | null;

  /** W3C trace context of the decision, so the send continues its trace. */
  @Column({ type: 'text', nullable: true })
  traceparent: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
