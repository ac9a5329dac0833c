import { type DecisionExplanationV1 } from '@wt/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The current decision for one (campaign, person). A `send` is final. */
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
}
