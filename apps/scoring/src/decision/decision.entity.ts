import { type DecisionExplanationV1, type TargetingDecisionV1 } from '@wt/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type FeatureValues } from '../relevance/features';

/**
 * The current decision for one (campaign, person). A `send` is final. The columns are those the
 * migrations make: `apps/scoring/src/schema.integration-spec.ts` fails when they differ.
 */
@Entity({ name: 'decision' })
export class DecisionEntity {
  @PrimaryColumn({ name: 'campaign_id', type: 'text' })
  campaignId: string;

  @PrimaryColumn({ name: 'person_id', type: 'char', length: 64 })
  personId: string;

  @Column({ name: 'decision_id', type: 'text', unique: true })
  decisionId: string;

  @Column({ type: 'text' })
  outcome: 'send' | 'suppress';

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'real' })
  score: number;

  @Column({ name: 'model_version', type: 'text' })
  modelVersion: string;

  @Column({ type: 'jsonb' })
  explanation: DecisionExplanationV1;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt: Date;

  /** Null only on decisions stored before scoring knew businesses. */
  @Column({ name: 'business_id', type: 'text', nullable: true })
  businessId: string | null;

  /** Kept out of sending to measure the model (a holdout is never overwritten). */
  @Column({ type: 'boolean', default: false })
  holdout: boolean;

  /** The model's features at the time of the decision. */
  @Column({ type: 'jsonb', nullable: true })
  features: FeatureValues | null;

  /** A send's estimated cost at the rate card (millionths of `costCurrency`); null on suppressions and older sends. */
  @Column({ name: 'estimated_cost_micros', type: 'bigint', nullable: true })
  estimatedCostMicros: string | null;

  @Column({ name: 'cost_currency', type: 'text', nullable: true })
  costCurrency: string | null;

  /** Pricing category and market of the send (volume tiers count by them). */
  @Column({ name: 'cost_category', type: 'text', nullable: true })
  costCategory: string | null;

  @Column({ name: 'cost_market', type: 'text', nullable: true })
  costMarket: string | null;

  /** The decision as recorded (the published payload). */
  @Column({ type: 'jsonb', nullable: true })
  body: TargetingDecisionV1 | null;
}
