import { Global, Module } from '@nestjs/common';
import { ApiKeyStore, BusinessAuthGuard } from '@wt/business-auth';
import { serviceRootModules } from '@wt/runtime';
import { VaultModule } from '@wt/vault';
import { AgentsModule } from './agents/agents.module';
import { AssistantConfig } from './assistant.config';
import { BusinessModule } from './business/business.module';
import { ConversationModule } from './conversation/conversation.module';
import { KnowledgeModule } from './knowledge/knowledge.module';
import { ASSISTANT_MIGRATIONS } from './migrations';
import { PrivacyModule } from './privacy/privacy.module';
import { RetrievalModule } from './retrieval/retrieval.module';

/** The assistant reads and writes with SQL through the DataSource; it has no TypeORM entities. */
export const ASSISTANT_SCHEMA = { entities: [], migrations: ASSISTANT_MIGRATIONS };

/** The business API keys behind BusinessAuthGuard, for the controllers of knowledge/, business/ and agents/. */
@Global()
@Module({ providers: [ApiKeyStore, BusinessAuthGuard], exports: [ApiKeyStore, BusinessAuthGuard] })
class BusinessApiModule {}

/**
 * The assistant: the root wiring (configuration, Kafka, database, key vault, business API keys) and
 * one module per domain folder. Dependencies point down: agents/ → conversation/ → knowledge/ →
 * retrieval/; conversation/ also uses business/ (who owns a number) and privacy/ (held erasures).
 * evaluation/ is plain code of its own targets (accuracy, latency, calibrate): nothing here loads it.
 */
export function assistantModule(config: AssistantConfig) {
  @Module({
    imports: [
      ...serviceRootModules('assistant', AssistantConfig, config, ASSISTANT_SCHEMA),
      VaultModule.forRoot(config, 'assistant'),
      BusinessApiModule,
      RetrievalModule,
      BusinessModule,
      KnowledgeModule,
      PrivacyModule,
      ConversationModule,
      AgentsModule,
    ],
  })
  class AssistantModule {}
  return AssistantModule;
}
