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

  /** How the change was asserted (`http_api`, `kafka_producer`, `whatsapp_webhook`, `assistant`); null before attribution. */
  @Column({ name: 'asserted_via', type: 'text', nullable: true })
  assertedVia: string | null;

  /** Who asserted it: the API key's business, or the Kafka producer's declared name (`unidentified` if none). */
  @Column({ name: 'asserted_by', type: 'text', nullable: true })
  assertedBy: string | null;

  /** The API key that asserted it (HTTP door only). */
  @Column({ name: 'asserted_key_id', type: 'text', nullable: true })
  assertedKeyId: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}
