import { Global, Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { ApiKeyStore, BusinessAuthGuard } from '@wt/business-auth';
import { RateBook } from '@wt/pricing';
import { serviceRootModules } from '@wt/runtime';
import { AudienceModule } from './audience/audience.module';
import { CampaignModule } from './campaign/campaign.module';
import { CampaignEntity } from './campaign/campaign.entity';
import { DecisionModule } from './decision/decision.module';
import { DecisionEntity } from './decision/decision.entity';
import { EligibilityModule } from './eligibility/eligibility.module';
import { LaunchModule } from './launch/launch.module';
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
import { OutcomeModule } from './outcome/outcome.module';
import { RelevanceModule } from './relevance/relevance.module';
import { ReportModule } from './report/report.module';
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

/** What every domain module may use: the rate cards (prices, currencies) and the business API keys behind BusinessAuthGuard. */
@Global()
@Module({
  providers: [
    ApiKeyStore,
    BusinessAuthGuard,
    { provide: RateBook, useFactory: (config: ScoringConfig) => RateBook.load(config.RATE_CARD_FILE), inject: [ScoringConfig] },
  ],
  exports: [ApiKeyStore, BusinessAuthGuard, RateBook],
})
class ScoringPlatformModule {}

/**
 * Scoring: the root wiring (configuration, Kafka, database, the shared rate cards and API keys) and
 * one module per domain folder. Dependencies point down: launch/ (when to evaluate) → outcome/ →
 * report/ → decision/ → campaign/, eligibility/, relevance/; audience/ is read by launch/ and report/.
 */
export function scoringModule(config: ScoringConfig) {
  @Module({
    imports: [
      ...serviceRootModules('scoring', ScoringConfig, config, { entities: SCORING_ENTITIES, migrations: SCORING_MIGRATIONS }),
      ScoringPlatformModule,
      RelevanceModule,
      AudienceModule,
      EligibilityModule,
      CampaignModule,
      DecisionModule,
      ReportModule,
      OutcomeModule,
      LaunchModule,
    ],
    providers: [{ provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) }],
  })
  class ScoringModule {}
  return ScoringModule;
}
