import { Module } from '@nestjs/common';
import { retentionJobProvider } from '@wt/database';
import { CampaignModule } from '../campaign/campaign.module';
import { EligibilityModule } from '../eligibility/eligibility.module';
import { RelevanceModule } from '../relevance/relevance.module';
import { ScoringConfig } from '../scoring.config';
import { DecisionController } from './decision.controller';
import { DecisionEngine } from './decision.engine';
import { DecisionOutbox } from './decision-outbox';
import { DecisionRecords } from './decision-records.service';
import { decisionRetentionRules } from './decision-retention';
import { DecisionStore } from './decision.store';

/**
 * Deciding: DecisionEngine evaluates people against campaigns and stores the decisions with their
 * `targeting.decisions.v1` records in one transaction; their retention; the businesses' decision API.
 * What evaluates when (launch, profile changes, resumes) is in launch/. Exports DecisionEngine and
 * DecisionRecords (sends to attribute, delivered ranks, paused people, the per-person lock);
 * DecisionStore stays inside decision/.
 */
@Module({
  imports: [CampaignModule, EligibilityModule, RelevanceModule],
  controllers: [DecisionController],
  providers: [
    DecisionStore,
    DecisionOutbox,
    DecisionEngine,
    DecisionRecords,
    retentionJobProvider(ScoringConfig, 'scoring', (config) => decisionRetentionRules(config.DECISION_RETENTION_DAYS)),
  ],
  exports: [DecisionEngine, DecisionRecords],
})
export class DecisionModule {}
