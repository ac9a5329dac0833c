import { Injectable } from '@nestjs/common';
import { type AssistantLanguage, type DecisionExplanationV1, type TargetingDecisionV1 } from '@wt/contracts';
import { returnedRows } from '@wt/database';
import { DataSource, type EntityManager } from 'typeorm';

export interface Conversation {
  businessId: string;
  personId: string;
  phoneNumberId: string;
  contact: string;
  language: AssistantLanguage;
  state: 'bot' | 'handed_off';
  lastInboundAt: Date;
  lastInboundWamid: string;
  handedOffAt: Date | null;
  messages: number;
}

interface ConversationRow {
  business_id: string;
  person_id: string;
  phone_number_id: string;
  contact: string;
  language: AssistantLanguage;
  state: 'bot' | 'handed_off';
  last_inbound_at: Date;
  last_inbound_wamid: string;
  handed_off_at: Date | null;
  messages: number;
}

const fromRow = (row: ConversationRow): Conversation => ({
  businessId: row.business_id,
  personId: row.person_id,
  phoneNumberId: row.phone_number_id,
  contact: row.contact,
  language: row.language,
  state: row.state,
  lastInboundAt: row.last_inbound_at,
  lastInboundWamid: row.last_inbound_wamid,
  handedOffAt: row.handed_off_at,
  messages: row.messages,
});

export interface InboundOutcome {
  wamid: string;
  outcome: string;
  entryId?: string;
  confidence?: number;
  replyId?: string;
}

export interface MarketingDecision {
  decisionId: string;
  campaignId: string;
  explanation: DecisionExplanationV1;
  decidedAt: Date;
}

/**
 * Conversation state per (business, person), the ledger of handled messages, and the last marketing
 * decision. The writes of a message run in the caller's transaction (ConversationService opens it).
 */
@Injectable()
export class ConversationStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Claims an inbound message once: false when it was already handled (a redelivery). */
  async claim(
    manager: EntityManager,
    message: { wamid: string; businessId: string; personId: string; receivedAt: string },
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO inbound_message (wamid, business_id, person_id, received_at, outcome) VALUES ($1, $2, $3, $4, 'pending')
       ON CONFLICT (wamid) DO NOTHING RETURNING wamid`,
      [message.wamid, message.businessId, message.personId, message.receivedAt],
    );
    return rows.length > 0;
  }

  async recordOutcome(manager: EntityManager, outcome: InboundOutcome): Promise<void> {
    await manager.query(
      `UPDATE inbound_message SET outcome = $2, entry_id = $3, confidence = $4, reply_id = $5, processed_at = now() WHERE wamid = $1`,
      [outcome.wamid, outcome.outcome, outcome.entryId ?? null, outcome.confidence ?? null, outcome.replyId ?? null],
    );
  }

  /**
   * Records an inbound message in the conversation (created if new) under a row lock, and returns
   * the conversation as it is now. The window follows the latest inbound message, whatever the arrival order.
   */
  async touch(
    manager: EntityManager,
    message: { businessId: string; personId: string; phoneNumberId: string; contact: string; wamid: string; receivedAt: string },
    language: AssistantLanguage,
  ): Promise<Conversation> {
    const rows: ConversationRow[] = await manager.query(
      `INSERT INTO conversation (business_id, person_id, phone_number_id, contact, language, state, last_inbound_at, last_inbound_wamid, messages)
       VALUES ($1, $2, $3, $4, $5, 'bot', $6, $7, 1)
       ON CONFLICT (business_id, person_id) DO UPDATE SET
         messages = conversation.messages + 1,
         updated_at = now(),
         phone_number_id = CASE WHEN EXCLUDED.last_inbound_at >= conversation.last_inbound_at THEN EXCLUDED.phone_number_id ELSE conversation.phone_number_id END,
         contact = CASE WHEN EXCLUDED.last_inbound_at >= conversation.last_inbound_at THEN EXCLUDED.contact ELSE conversation.contact END,
         last_inbound_wamid = CASE WHEN EXCLUDED.last_inbound_at >= conversation.last_inbound_at THEN EXCLUDED.last_inbound_wamid ELSE conversation.last_inbound_wamid END,
         last_inbound_at = GREATEST(conversation.last_inbound_at, EXCLUDED.last_inbound_at)
       RETURNING *`,
      [message.businessId, message.personId, message.phoneNumberId, message.contact, language, message.receivedAt, message.wamid],
    );
    return fromRow(rows[0]!);
  }

  async update(
    manager: EntityManager,
    conversation: Pick<Conversation, 'businessId' | 'personId' | 'language' | 'state' | 'handedOffAt'>,
  ): Promise<void> {
    await manager.query(
      `UPDATE conversation SET language = $3, state = $4, handed_off_at = $5, updated_at = now() WHERE business_id = $1 AND person_id = $2`,
      [conversation.businessId, conversation.personId, conversation.language, conversation.state, conversation.handedOffAt],
    );
  }

  async find(businessId: string, personId: string): Promise<Conversation | undefined> {
    const rows: ConversationRow[] = await this.dataSource.query(`SELECT * FROM conversation WHERE business_id = $1 AND person_id = $2`, [
      businessId,
      personId,
    ]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** The conversations handed over to the business's team, latest message first (at most 500). */
  async handedOff(businessId: string): Promise<Conversation[]> {
    const rows: ConversationRow[] = await this.dataSource.query(
      `SELECT * FROM conversation WHERE business_id = $1 AND state = 'handed_off' ORDER BY last_inbound_at DESC LIMIT 500`,
      [businessId],
    );
    return rows.map(fromRow);
  }

  /** The person's conversation if it is handed over, locked until the caller's transaction ends. */
  async lockHandedOff(manager: EntityManager, businessId: string, personId: string): Promise<Conversation | undefined> {
    const rows: ConversationRow[] = await manager.query(
      `SELECT * FROM conversation WHERE business_id = $1 AND person_id = $2 AND state = 'handed_off' FOR UPDATE`,
      [businessId, personId],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** Gives a handed-over conversation back to the bot: false when it was not handed over. */
  async release(businessId: string, personId: string): Promise<boolean> {
    const result: unknown = await this.dataSource.query(
      `UPDATE conversation SET state = 'bot', handed_off_at = NULL, updated_at = now()
       WHERE business_id = $1 AND person_id = $2 AND state = 'handed_off' RETURNING person_id`,
      [businessId, personId],
    );
    return returnedRows(result).length > 0;
  }

  /** Keeps the latest `send` decision per (business, person): the marketing message WHY explains. */
  async saveDecisions(decisions: readonly TargetingDecisionV1[]): Promise<void> {
    const latest = new Map<string, TargetingDecisionV1>();
    for (const d of decisions) {
      if (d.outcome !== 'send') continue;
      const key = `${d.businessId}:${d.personId}`;
      const known = latest.get(key);
      if (!known || Date.parse(known.decidedAt) <= Date.parse(d.decidedAt)) latest.set(key, d);
    }
    const sends = [...latest.values()];
    if (sends.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO marketing_decision (business_id, person_id, decision_id, campaign_id, explanation, decided_at)
       SELECT * FROM unnest($1::text[], $2::char(64)[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[])
       ON CONFLICT (business_id, person_id) DO UPDATE SET
         decision_id = EXCLUDED.decision_id, campaign_id = EXCLUDED.campaign_id,
         explanation = EXCLUDED.explanation, decided_at = EXCLUDED.decided_at
       WHERE EXCLUDED.decided_at >= marketing_decision.decided_at`,
      [
        sends.map((d) => d.businessId),
        sends.map((d) => d.personId),
        sends.map((d) => d.decisionId),
        sends.map((d) => d.campaignId),
        sends.map((d) => JSON.stringify(d.explanation)),
        sends.map((d) => d.decidedAt),
      ],
    );
  }

  async lastDecision(manager: EntityManager, businessId: string, personId: string): Promise<MarketingDecision | undefined> {
    const rows: { decision_id: string; campaign_id: string; explanation: DecisionExplanationV1; decided_at: Date }[] = await manager.query(
      `SELECT decision_id, campaign_id, explanation, decided_at FROM marketing_decision WHERE business_id = $1 AND person_id = $2`,
      [businessId, personId],
    );
    const row = rows[0];
    return row
      ? { decisionId: row.decision_id, campaignId: row.campaign_id, explanation: row.explanation, decidedAt: row.decided_at }
      : undefined;
  }
}
