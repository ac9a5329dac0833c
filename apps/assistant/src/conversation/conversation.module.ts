import { Module } from '@nestjs/common';
import { BusinessModule } from '../business/business.module';
import { KnowledgeModule } from '../knowledge/knowledge.module';
import { PrivacyModule } from '../privacy/privacy.module';
import { ConversationService } from './conversation.service';
import { ConversationStore } from './conversation.store';
import { DecisionsConsumer } from './decisions.consumer';
import { HandoffService } from './handoff.service';
import { InboundConsumer } from './inbound.consumer';

/**
 * Conversations: one consumer per topic (inbound messages, marketing decisions), each delegating to
 * ConversationService, which opens each message's transaction. Exports HandoffService to agents/.
 */
@Module({
  imports: [BusinessModule, KnowledgeModule, PrivacyModule],
  controllers: [InboundConsumer, DecisionsConsumer],
  providers: [ConversationStore, ConversationService, HandoffService],
  exports: [HandoffService],
})
export class ConversationModule {}
