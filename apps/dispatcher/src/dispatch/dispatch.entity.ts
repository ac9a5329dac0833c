import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The dispatch ledger: one row per decision to send, with explicit states.
 *   pending  → claimed, not yet handed to Meta
 *   sending  → about to call Meta (written before the call: after a crash, we know we may have sent)
 *   accepted → Meta returned a wamid
 *   rejected → Meta refused (error_code)
 *   unknown  → no answer (timeout, dropped connection): never resent blindly
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

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
