import { Injectable } from '@nestjs/common';
import { type AssistantReplyV1, Topic } from '@wt/contracts';
import { KafkaPublisher } from '@wt/kafka';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isWindowOpen } from '../conversation/assistant-policy';
import { HandoffService } from '../conversation/handoff.service';
import { AgentReplyStore } from './agent-reply.store';

export type AgentReplyOutcome = { replyId: string } | 'not_handed_off' | 'window_closed';

/**
 * An agent's reply to a handed-over conversation: free-form, only inside the 24 h service window,
 * sent by the dispatcher like the bot's. Kept and published in one transaction, under the
 * conversation's row lock.
 */
@Injectable()
export class AgentReplyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly handoffs: HandoffService,
    private readonly replies: AgentReplyStore,
    private readonly publisher: KafkaPublisher,
  ) {}

  reply(businessId: string, personId: string, agent: string, text: string): Promise<AgentReplyOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const conversation = await this.handoffs.lock(manager, businessId, personId);
      if (!conversation) return 'not_handed_off';
      const now = new Date();
      if (!isWindowOpen(conversation.lastInboundAt, now)) return 'window_closed';
      const replyId = `agent-${randomUUID()}`;
      await this.replies.insert(manager, { replyId, businessId, personId, agent, text, sentAt: now });
      const reply: AssistantReplyV1 = {
        replyId,
        businessId,
        personId,
        contact: conversation.contact,
        phoneNumberId: conversation.phoneNumberId,
        text,
        requestedAt: now.toISOString(),
      };
      // Acknowledged by the brokers before the commit: a failure rolls the reply back, nothing half-done.
      await this.publisher.publish(Topic.AssistantRepliesV1, [{ key: personId, value: reply }]);
      return { replyId };
    });
  }
}
