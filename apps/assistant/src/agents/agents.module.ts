import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation/conversation.module';
import { AgentReplyService } from './agent-reply.service';
import { AgentReplyStore } from './agent-reply.store';
import { AgentsController } from './agents.controller';

/** The business's agents: the conversations handed over to them (conversation/'s HandoffService) and their replies. */
@Module({
  imports: [ConversationModule],
  controllers: [AgentsController],
  providers: [AgentReplyStore, AgentReplyService],
})
export class AgentsModule {}
