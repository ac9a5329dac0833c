import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** The agents' replies (`agent_reply`), kept with who wrote them; written in the caller's transaction. */
@Injectable()
export class AgentReplyStore {
  async insert(
    manager: EntityManager,
    reply: { replyId: string; businessId: string; personId: string; agent: string; text: string; sentAt: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO agent_reply (reply_id, business_id, person_id, agent, text, sent_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [reply.replyId, reply.businessId, reply.personId, reply.agent, reply.text, reply.sentAt.toISOString()],
    );
  }
}
