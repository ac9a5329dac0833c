import { Module } from '@nestjs/common';
import { RetentionJob } from '@wt/database';
import { DataSource } from 'typeorm';
import { CampaignModule } from '../campaign/campaign.module';
import { EligibilityModule } from '../eligibility/eligibility.module';
import { RelevanceModule } from '../relevance/relevance.module';
import { ScoringConfig } from '../scoring.config';
import { DecisionController } from './decision.controller';
import { DecisionEngine } from './decision.engine';
import { DecisionOutbox } from './decision-outbox';
import { decisionRetentionRules } from './decision-retention';
import { DecisionStore } from './decision.store';

/**
 * Deciding: DecisionEngine evaluates people against campaigns and stores the decisions with their
 * `targeting.decisions.v1` records in one transaction; their retention; the businesses' decision API.
 * What evaluates when (launch, profile changes, resumes) is in launch/.
 */
@Module({
  imports: [CampaignModule, EligibilityModule, RelevanceModule],
  controllers: [DecisionController],
  providers: [
    DecisionStore,
    DecisionOutbox,
    DecisionEngine,
    {
      provide: RetentionJob,
      useFactory: (dataSource: DataSource, config: ScoringConfig) =>
        new RetentionJob(dataSource, decisionRetentionRules(config.DECISION_RETENTION_DAYS), {
          intervalSeconds: config.RETENTION_PURGE_INTERVAL_SECONDS,
          batchSize: config.RETENTION_PURGE_BATCH,
          service: 'scoring',
        }),
      inject: [DataSource, ScoringConfig],
    },
  ],
  exports: [DecisionEngine, DecisionStore],
})
export class DecisionModule {}
