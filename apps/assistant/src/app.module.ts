import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule } from '@wt/config';
import { postgresOptions } from '@wt/database';
import { kafkaConnectionOf, KafkaModule } from '@wt/kafka';
import { ObservabilityModule } from '@wt/observability';
import { VaultModule } from '@wt/vault';
import { AgentsController } from './agents/agents.controller';
import { AssistantConfig } from './assistant.config';
import { ApiKeyStore } from '@wt/business-auth';
import { BusinessAuthGuard } from '@wt/business-auth';
import { PhoneNumberController } from './business/phone-number.controller';
import { PhoneNumberStore } from './business/phone-number.store';
import { AssistantConsumer } from './conversation/assistant.consumer';
import { ConversationStore } from './conversation/conversation.store';
import { KnowledgeController } from './knowledge/knowledge.controller';
import { KnowledgeStore } from './knowledge/knowledge.store';
import { ASSISTANT_MIGRATIONS } from './migrations';
import { AssistantPrivacyConsumer } from './privacy/assistant-privacy.consumer';
import { AssistantPrivacyStore } from './privacy/assistant-privacy.store';
import { ErasureRelease } from './privacy/erasure-release';
import { EmbeddingModel } from './retrieval/embedding-model';

/** The assistant reads and writes with SQL through the DataSource; it has no TypeORM entities. */
export const ASSISTANT_ENTITIES = [];
export { ASSISTANT_MIGRATIONS };

export function assistantModule(config: AssistantConfig) {
  @Module({
    imports: [
      ConfigModule.forValue(AssistantConfig, config),
      ObservabilityModule.forRoot({ service: 'assistant', logLevel: config.LOG_LEVEL }),
      KafkaModule.forRoot(kafkaConnectionOf(config, 'assistant')),
      TypeOrmModule.forRoot(
        postgresOptions({
          url: config.DATABASE_URL,
          entities: ASSISTANT_ENTITIES,
          migrations: ASSISTANT_MIGRATIONS,
          runMigrations: config.DB_MIGRATIONS_RUN === 'true',
          applicationName: 'assistant',
        }),
      ),
      VaultModule.forRoot(config, 'assistant'),
    ],
    controllers: [AssistantConsumer, AssistantPrivacyConsumer, KnowledgeController, PhoneNumberController, AgentsController],
    providers: [
      ApiKeyStore,
      BusinessAuthGuard,
      PhoneNumberStore,
      KnowledgeStore,
      ConversationStore,
      ErasureRelease,
      AssistantPrivacyStore,
      EmbeddingModel,
    ],
  })
  class AssistantModule {}
  return AssistantModule;
}
