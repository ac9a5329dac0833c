import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Current consent per person, purpose and business ('' for platform-wide purposes). */
@Entity({ name: 'consent_state' })
export class ConsentStateEntity {
  @PrimaryColumn({ name: 'person_id', type: 'char', length: 64 })
  personId: string;

  @PrimaryColumn({ type: 'text' })
  purpose: string;

  @PrimaryColumn({ name: 'business_id', type: 'text' })
  businessId: string;

  @Column({ type: 'text' })
  status: 'granted' | 'revoked';

  /** When the person made this choice; a later choice wins whatever the arrival order. */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'text' })
  source: string;
}
