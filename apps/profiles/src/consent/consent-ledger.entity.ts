import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only history of consent changes: the proof of what a person agreed to and when. */
@Entity({ name: 'consent_ledger' })
export class ConsentLedgerEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'person_id', type: 'char', length: 64 })
  personId: string;

  @Column({ type: 'text' })
  purpose: string;

  @Column({ name: 'business_id', type: 'text' })
  businessId: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'text' })
  source: string;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}
