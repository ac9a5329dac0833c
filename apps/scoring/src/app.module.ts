import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule } from '@wt/config';
import { postgresOptions } from '@wt/database';
import { KafkaModule } from '@wt/kafka';
import { ObservabilityModule } from '@wt/observability';
import { CampaignEntity } from './campaign/campaign.entity';
import { CampaignStore } from './campaign/campaign.store';
import { DecisionEntity } from './decision/decision.entity';
import { DecisionStore } from './decision/decision.store';
import { ScoringConsumer } from './decision/scoring.consumer';
import { InitialSchema1764374400000 } from './migrations/1764374400000-initial-schema';
import { ScoringConfig } from './scoring.config';

export const SCORING_ENTITIES = [CampaignEntity, DecisionEntity];
export const SCORING_MIGRATIONS = [InitialSchema1764374400000];

export function scoringModule(config: ScoringConfig) {
  @Module({
    imports: [
      ConfigModule.forValue(ScoringConfig, config),
      ObservabilityModule.forRoot({ service: 'scoring', logLevel: config.LOG_LEVEL }),
      KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, clientId: 'scoring' }),
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
    controllers: [ScoringConsumer],
    providers: [CampaignStore, DecisionStore],
  })
  class ScoringModule {}
  return ScoringModule;
}
