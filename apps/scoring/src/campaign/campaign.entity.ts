import { type CampaignV1 } from '@wt/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The latest state of a campaign from `campaigns.v1`, plus what it has spent. */
@Entity({ name: 'campaign' })
export class CampaignEntity {
  @PrimaryColumn({ name: 'campaign_id', type: 'text' })
  campaignId: string;

  @Column({ name: 'business_id', type: 'text' })
  businessId: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt: Date;

  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  @Column({ name: 'budget_messages', type: 'integer' })
  budgetMessages: number;

  /** Messages granted so far; only ever raised under a row lock, so replicas cannot overspend. */
  @Column({ type: 'integer', default: 0 })
  spent: number;

  /** The money budget in millionths of `budgetCurrency`; null: none (the message budget alone). */
  @Column({ name: 'budget_micros', type: 'bigint', nullable: true })
  budgetMicros: string | null;

  @Column({ name: 'budget_currency', type: 'text', nullable: true })
  budgetCurrency: string | null;

  /** Estimated cost of the messages granted so far; raised under the same row lock as `spent`. */
  @Column({ name: 'spent_micros', type: 'bigint', default: 0 })
  spentMicros: string;

  @Column({ type: 'jsonb' })
  body: CampaignV1;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
