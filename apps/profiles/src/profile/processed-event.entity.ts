import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Every engagement event applied to a profile, by `source:eventId`: a replay is recognised and skipped. */
@Entity({ name: 'processed_event' })
export class ProcessedEventEntity {
  @PrimaryColumn({ name: 'dedupe_key', type: 'text' })
  dedupeKey: string;

  @Column({ name: 'person_id', type: 'char', length: 64 })
  personId: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt: Date;
}
