import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** Every table of the assistant that holds data about a person, keyed by their personId: all erased, all exported. */
export const PERSON_TABLES = ['conversation', 'inbound_message', 'marketing_decision', 'pending_erasure', 'agent_reply'] as const;

/** What the assistant holds about a person, for an export (issue 20, point 5). */
export interface AssistantPersonData {
  conversations: Record<string, unknown>[];
  messages: Record<string, unknown>[];
  agentReplies: Record<string, unknown>[];
  lastMarketingDecisions: Record<string, unknown>[];
  /** Erasure requests held until their confirmation left (the sealed contact only as `contactHeld`). */
  pendingErasures: Record<string, unknown>[];
}

/** The assistant's own data about people, under the GDPR: erased with the person, exported on request. */
@Injectable()
export class AssistantPrivacyStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Deletes everything held under these people (conversation state and history, decisions, pending requests). */
  async erase(manager: EntityManager, personIds: readonly string[]): Promise<void> {
    if (personIds.length === 0) return;
    for (const table of PERSON_TABLES) {
      await manager.query(`DELETE FROM ${table} WHERE person_id = ANY($1::char(64)[])`, [[...new Set(personIds)]]);
    }
  }

  /** Everything held about a person, as JSON (the sealed contact only as `contactHeld`, never the number). */
  async export(personId: string): Promise<AssistantPersonData> {
    const conversations: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT business_id, phone_number_id, language, state, last_inbound_at, handed_off_at, messages, updated_at,
              contact IS NOT NULL AS contact_held
       FROM conversation WHERE person_id = $1 ORDER BY business_id`,
      [personId],
    );
    const messages: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT business_id, wamid, received_at, outcome, entry_id, confidence, reply_id, processed_at
       FROM inbound_message WHERE person_id = $1 ORDER BY received_at, wamid`,
      [personId],
    );
    const agentReplies: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT business_id, reply_id, agent, text, sent_at FROM agent_reply WHERE person_id = $1 ORDER BY sent_at`,
      [personId],
    );
    const lastMarketingDecisions: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT business_id, decision_id, campaign_id, explanation, decided_at FROM marketing_decision WHERE person_id = $1 ORDER BY business_id`,
      [personId],
    );
    const pendingErasures: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT request_id, business_id, reply_id, requested_at, due_at, contact IS NOT NULL AS contact_held
       FROM pending_erasure WHERE person_id = $1 ORDER BY requested_at`,
      [personId],
    );
    return { conversations, messages, agentReplies, lastMarketingDecisions, pendingErasures };
  }
}
