import { Injectable } from '@nestjs/common';
import { type AssistantHandoffV1, type AssistantReplyV1, type InboundMessageV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { ContactSealer } from '@wt/identity';
import { KafkaPublisher, traceHeaders, type TopicRecords } from '@wt/kafka';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AssistantConfig } from '../assistant.config';
import { KnowledgeService } from '../knowledge/knowledge.service';
import { ErasureRelease, personOf } from '../privacy/erasure-release';
import { type AssistantAction, decide, isWindowOpen, isWithAgent } from './assistant-policy';
import { explainDecision, MESSAGES } from './assistant-messages';
import { type Conversation, ConversationStore } from './conversation.store';

/** The sealed contact does not open (not sealed for this platform, or tampered). */
export class UnreadableContactError extends Error {
  constructor() {
    super('contact: the sealed contact does not open (not sealed for this platform)');
    this.name = 'UnreadableContactError';
  }
}

/** A short stable id derived from the inbound message, so a redelivery can never make a second effect. */
const derivedId = (prefix: string, wamid: string) => `${prefix}-${createHash('sha256').update(wamid).digest('hex').slice(0, 40)}`;

interface Effects {
  outcome: string;
  reply?: string;
  records: TopicRecords[];
  entryId?: string;
  confidence?: number;
  state?: Conversation['state'];
}

/** The records, each carrying the trace headers of the message they answer. */
function inTrace(batches: TopicRecords[], trace: Record<string, string>): TopicRecords[] {
  return batches.map(
    (batch) =>
      ({ ...batch, records: batch.records.map((record) => ({ ...record, headers: { ...record.headers, ...trace } })) }) as TopicRecords,
  );
}

/**
 * The customer-service assistant: every inbound message to a business number the assistant serves
 * is answered from the business's knowledge base, handed over to a person, or run as a command, in
 * one transaction per message. Replies go to the dispatcher as free-form text, and only while the
 * 24 h window is open.
 */
@Injectable()
export class ConversationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AssistantConfig,
    private readonly knowledge: KnowledgeService,
    private readonly conversations: ConversationStore,
    private readonly publisher: KafkaPublisher,
    private readonly sealer: ContactSealer,
    private readonly erasures: ErasureRelease,
  ) {}

  /** Keeps the latest marketing decision sent to each person: the one WHY explains. */
  async saveDecisions(decisions: readonly TargetingDecisionV1[]): Promise<void> {
    await this.conversations.saveDecisions(decisions);
  }

  /**
   * Handles one message in one transaction; the records are published before it commits. They
   * (reply, handoff, consent revocation, erasure request) continue the trace of the inbound
   * record's `headers`.
   */
  async handle(message: InboundMessageV1, businessId: string, now: Date, headers: Record<string, string> = {}): Promise<string> {
    const index = await this.knowledge.index(businessId);
    return this.dataSource.transaction(async (manager) => {
      const claimed = await this.conversations.claim(manager, { ...message, businessId });
      if (!claimed) return 'duplicate';
      const known = await this.conversations.find(businessId, message.personId);
      let action = await decide(message, index, {
        threshold: this.config.ANSWER_CONFIDENCE_THRESHOLD,
        margin: this.config.ANSWER_MARGIN,
        conversationLanguage: known?.language,
      });
      // With an agent (handed over less than 24 h ago, not given back): the bot does not answer over
      // the agent's head; the message goes to the team. Commands still act: a stop always revokes.
      if (known && isWithAgent(known, now) && action.kind === 'answer')
        action = { kind: 'handoff', language: action.language, reason: 'with_agent', best: action.match };
      const conversation = await this.conversations.touch(manager, { ...message, businessId }, action.language);
      const windowOpen = isWindowOpen(conversation.lastInboundAt, now);
      const effects = await this.effects(manager, action, message, conversation, windowOpen, now);

      const replyId = effects.reply && windowOpen ? derivedId('asst-reply', message.wamid) : undefined;
      if (replyId && effects.reply) {
        const reply: AssistantReplyV1 = {
          replyId,
          businessId,
          personId: message.personId,
          contact: conversation.contact,
          phoneNumberId: conversation.phoneNumberId,
          text: effects.reply,
          inReplyToWamid: message.wamid,
          requestedAt: now.toISOString(),
        };
        effects.records.push({ topic: Topic.AssistantRepliesV1, records: [{ key: message.personId, value: reply }] });
      }
      const outcome = effects.reply && !windowOpen ? `${effects.outcome}_window_closed` : effects.outcome;
      await this.conversations.update(manager, {
        businessId,
        personId: message.personId,
        language: action.language,
        state: effects.state ?? conversation.state,
        handedOffAt: effects.state === 'handed_off' ? now : conversation.handedOffAt,
      });
      await this.conversations.recordOutcome(manager, {
        wamid: message.wamid,
        outcome,
        entryId: effects.entryId,
        confidence: effects.confidence,
        replyId,
      });
      await this.publisher.publishAll(inTrace(effects.records, traceHeaders(headers)));
      return outcome;
    });
  }

  /**
   * The person's number, only ever put in a payload (never a key, never a log line). Undefined
   * when the person was erased (their key is gone): there is nothing left to revoke or erase. The
   * vault is always asked (no cache); if it is unreachable this throws and the batch is retried.
   */
  private async phone(contact: string): Promise<string | undefined> {
    const opened = await this.sealer.open(contact, { fresh: true });
    if (opened.ok) return opened.e164;
    if (opened.reason === 'erased') return undefined;
    throw new UnreadableContactError();
  }

  private async effects(
    manager: EntityManager,
    action: AssistantAction,
    message: InboundMessageV1,
    conversation: Conversation,
    windowOpen: boolean,
    now: Date,
  ): Promise<Effects> {
    const texts = MESSAGES[action.language];
    switch (action.kind) {
      case 'answer':
        return {
          outcome: 'answered',
          reply: action.match.entry.answer,
          records: [],
          entryId: action.match.entry.id,
          confidence: action.match.confidence,
        };
      case 'handoff': {
        // Already with a person (handed over less than 24 h ago): tell the team again, not the person.
        const notify = !isWithAgent(conversation, now);
        const handoff: AssistantHandoffV1 = {
          handoffId: derivedId('asst-handoff', message.wamid),
          businessId: conversation.businessId,
          personId: message.personId,
          contact: conversation.contact,
          phoneNumberId: conversation.phoneNumberId,
          reason: action.reason,
          text: message.text,
          language: action.language,
          confidence: Math.round((action.best?.confidence ?? 0) * 1e4) / 1e4,
          bestEntryId: action.best?.entry.id,
          inReplyToWamid: message.wamid,
          personNotified: notify && windowOpen,
          requestedAt: now.toISOString(),
        };
        return {
          outcome: `handoff_${action.reason}`,
          reply: notify ? texts.handoff : undefined,
          records: [{ topic: Topic.AssistantHandoffsV1, records: [{ key: message.personId, value: handoff }] }],
          entryId: action.best?.entry.id,
          confidence: action.best?.confidence,
          state: 'handed_off',
        };
      }
      case 'command':
        switch (action.command) {
          case 'stop': {
            const erased = (await this.phone(conversation.contact)) === undefined;
            return {
              outcome: 'command_stop',
              reply: texts.stop,
              // Erased (key gone): nothing to revoke for them. The revocation names the person by
              // personId (no number on consent.v1); it is the very record the dispatcher publishes
              // for the same STOP (same time and source), so the consent ledger keeps one row.
              records: erased
                ? []
                : [
                    {
                      topic: Topic.ConsentV1,
                      records: [
                        {
                          key: message.personId,
                          value: {
                            personId: message.personId,
                            purpose: 'whatsapp_marketing',
                            businessId: conversation.businessId,
                            status: 'revoked',
                            occurredAt: new Date(message.receivedAt).toISOString(),
                            source: 'whatsapp-reply',
                            assertedVia: 'assistant',
                            assertedBy: 'assistant',
                          },
                        },
                      ],
                    },
                  ],
            };
          }
          case 'delete': {
            const requestId = derivedId('asst-erasure', message.wamid);
            const phone = await this.phone(conversation.contact);
            // Erased already (key gone): nothing left to erase.
            if (phone === undefined) return { outcome: 'command_delete', reply: texts.delete, records: [] };
            if (windowOpen) {
              // The confirmation goes first: erasure shreds the key the dispatcher needs to send it.
              // The request is released by the confirmation's first status (or after a bounded wait).
              await this.erasures.hold(
                manager,
                {
                  requestId,
                  businessId: conversation.businessId,
                  personId: message.personId,
                  contact: conversation.contact,
                  replyId: derivedId('asst-reply', message.wamid),
                },
                now,
              );
              return { outcome: 'command_delete', reply: texts.delete, records: [] };
            }
            return {
              outcome: 'command_delete',
              reply: texts.delete,
              records: [
                {
                  topic: Topic.PrivacyRequestsV1,
                  records: [
                    {
                      key: requestId,
                      value: { requestId, ...personOf(phone, message.personId), type: 'erasure', requestedAt: now.toISOString() },
                    },
                  ],
                },
              ],
            };
          }
          case 'why': {
            const decision = await this.conversations.lastDecision(manager, conversation.businessId, message.personId);
            return {
              outcome: 'command_why',
              reply: decision ? explainDecision(decision.explanation, action.language) : texts.noDecision,
              records: [],
            };
          }
        }
    }
  }
}
