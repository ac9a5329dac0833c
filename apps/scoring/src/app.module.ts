import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule } from '@wt/config';
import { postgresOptions, RetentionJob } from '@wt/database';
import { DataSource } from 'typeorm';
import { decisionRetentionRules } from './decision/decision-retention';
import { kafkaConnectionOf, KafkaModule } from '@wt/kafka';
import { ObservabilityModule } from '@wt/observability';
import { RateBook } from '@wt/pricing';
import { AudienceStore } from './audience/audience.store';
import { ApiKeyStore } from '@wt/business-auth';
import { BusinessAuthGuard } from '@wt/business-auth';
import { CampaignOutbox } from './campaign/campaign-outbox';
import { CampaignController } from './campaign/campaign.controller';
import { CampaignEntity } from './campaign/campaign.entity';
import { CampaignStore } from './campaign/campaign.store';
import { DecisionController } from './decision/decision.controller';
import { DecisionEngine } from './decision/decision.engine';
import { DecisionOutbox } from './decision/decision-outbox';
import { DecisionEntity } from './decision/decision.entity';
import { DecisionStore } from './decision/decision.store';
import { ScoringConsumer } from './decision/scoring.consumer';
import { CampaignLauncher } from './launch/campaign-launcher';
import { InitialSchema1764374400000 } from './migrations/1764374400000-initial-schema';
import { ScoringInFull1764460800000 } from './migrations/1764460800000-scoring-in-full';
import { ModelPrecision1764720000000 } from './migrations/1764720000000-model-precision';
import { SendingEligibility1764979200000 } from './migrations/1764979200000-sending-eligibility';
import { DecisionOutbox1765065600000 } from './migrations/1765065600000-decision-outbox';
import { CampaignOutbox1765152000000 } from './migrations/1765152000000-campaign-outbox';
import { ScheduledEvaluation1765152000500 } from './migrations/1765152000500-scheduled-evaluation';
import { HoldoutConversion1765152000600 } from './migrations/1765152000600-holdout-conversion';
import { TemplatePause1765238400000 } from './migrations/1765238400000-template-pause';
import { MessagePricing1765324800000 } from './migrations/1765324800000-message-pricing';
import { CampaignEstimator } from './report/campaign-estimator';
import { CampaignReportController } from './report/campaign-report.controller';
import { CampaignReportStore } from './report/campaign-report.store';
import { TemplatePauseStore } from './report/template-pause.store';
import { EligibilityStore } from './eligibility/eligibility.store';
import { OutcomeLearner } from './outcome/outcome.learner';
import { ModelStore } from './relevance/model.store';
import { ScoringConfig } from './scoring.config';

export const SCORING_ENTITIES = [CampaignEntity, DecisionEntity];
export const SCORING_MIGRATIONS = [
  InitialSchema1764374400000,
  ScoringInFull1764460800000,
  ModelPrecision1764720000000,
  SendingEligibility1764979200000,
  DecisionOutbox1765065600000,
  CampaignOutbox1765152000000,
  ScheduledEvaluation1765152000500,
  HoldoutConversion1765152000600,
  TemplatePause1765238400000,
  MessagePricing1765324800000,
];

/** Providers that need only the database (and a publisher for the engine): shared with tests. */
export const SCORING_PROVIDERS = [
  CampaignStore,
  CampaignOutbox,
  DecisionStore,
  AudienceStore,
  ApiKeyStore,
  ModelStore,
  EligibilityStore,
  DecisionOutbox,
  DecisionEngine,
  OutcomeLearner,
  CampaignLauncher,
  CampaignReportStore,
  TemplatePauseStore,
  BusinessAuthGuard,
  CampaignEstimator,
  { provide: RateBook, useFactory: (config: ScoringConfig) => RateBook.load(config.RATE_CARD_FILE), inject: [ScoringConfig] },
];

export function scoringModule(config: ScoringConfig) {
  @Module({
    imports: [
      ConfigModule.forValue(ScoringConfig, config),
      ObservabilityModule.forRoot({ service: 'scoring', logLevel: config.LOG_LEVEL }),
      KafkaModule.forRoot(kafkaConnectionOf(config, 'scoring')),
      TypeOrmModule.forRoot(
        postgresOptions({
          url: config.DATABASE_URL,
          entities: SCORING_ENTITIES,
          migrations: SCORING_MIGRATIONS,
          runMigrations: config.DB_MIGRATIONS_RUN === 'true',
          applicationName: 'scoring',
        }),
      ),
    ],
    controllers: [ScoringConsumer, CampaignController, DecisionController, CampaignReportController],
    providers: [
      ...SCORING_PROVIDERS,
      {
        provide: RetentionJob,
        useFactory: (dataSource: DataSource) =>
          new RetentionJob(dataSource, decisionRetentionRules(config.DECISION_RETENTION_DAYS), {
            intervalSeconds: config.RETENTION_PURGE_INTERVAL_SECONDS,
            batchSize: config.RETENTION_PURGE_BATCH,
            service: 'scoring',
          }),
        inject: [DataSource],
      },
      { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
    ],
  })
  class ScoringModule {}
  return ScoringModule;
}
