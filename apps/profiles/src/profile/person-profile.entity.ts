import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per person (personId = keyed pseudonym of the number). */
@Entity({ name: 'person_profile' })
export class PersonProfileEntity {
  @PrimaryColumn({ name: 'person_id', type: 'char', length: 64 })
  personId: string;

  /** Sealed E.164 number (AES-GCM); only the dispatcher can open it. */
  @Column({ type: 'text', nullable: true })
  contact: string | null;

  @Column({ type: 'char', length: 2, nullable: true })
  country: string | null;

  @Column({ name: 'time_zone', type: 'text', nullable: true })
  timeZone: string | null;

  /** Category → decayed score at `interests_at`. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  interests: Record<string, number>;

  /** businessId → category → decayed score at `interests_at`: engagement with that business's own pages. */
  @Column({ name: 'business_interests', type: 'jsonb', default: () => "'{}'" })
  businessInterests: Record<string, Record<string, number>>;

  /** Business phoneNumberId → end of the WhatsApp customer-service window (ISO 8601). */
  @Column({ name: 'service_windows', type: 'jsonb', default: () => "'{}'" })
  serviceWindows: Record<string, string>;

  /** Category → interest at `interests_at` with a 24 h half-life (short-term intent). */
  @Column({ name: 'recent_interests', type: 'jsonb', default: () => "'{}'" })
  recentInterests: Record<string, number>;

  @Column({ name: 'interests_at', type: 'timestamptz', nullable: true })
  interestsAt: Date | null;

  @Column({ name: 'total_events', type: 'integer', default: 0 })
  totalEvents: number;

  @Column({ name: 'events_by_source', type: 'jsonb', default: () => "'{}'" })
  eventsBySource: Record<string, number>;

  @Column({ name: 'events_by_business', type: 'jsonb', default: () => "'{}'" })
  eventsByBusiness: Record<string, number>;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;

  @Column({ type: 'bigint', default: 0 })
  version: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
