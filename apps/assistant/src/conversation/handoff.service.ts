import { Injectable } from '@nestjs/common';
import { type AssistantLanguage } from '@wt/contracts';
import { type EntityManager } from 'typeorm';
import { isWindowOpen } from './assistant-policy';
import { type Conversation, ConversationStore } from './conversation.store';

/** A conversation handed over to the business's team, as its agents see it. */
export interface Handoff {
  personId: string;
  language: AssistantLanguage;
  handedOffAt: string | null;
  lastInboundAt: string;
  /** Whether the 24 h service window is open: a free-form reply may be sent. */
  windowOpen: boolean;
}

const PERSON_ID = /^[0-9a-f]{64}$/;

/** The conversations handed over to a person: listed, locked for an agent's reply, given back to the bot. */
@Injectable()
export class HandoffService {
  constructor(private readonly conversations: ConversationStore) {}

  async open(businessId: string, now = new Date()): Promise<Handoff[]> {
    return (await this.conversations.handedOff(businessId)).map((conversation) => ({
      personId: conversation.personId,
      language: conversation.language,
      handedOffAt: conversation.handedOffAt?.toISOString() ?? null,
      lastInboundAt: conversation.lastInboundAt.toISOString(),
      windowOpen: isWindowOpen(conversation.lastInboundAt, now),
    }));
  }

  /** The person's handed-over conversation, locked in the caller's transaction; undefined when there is none. */
  async lock(manager: EntityManager, businessId: string, personId: string): Promise<Conversation | undefined> {
    return PERSON_ID.test(personId) ? this.conversations.lockHandedOff(manager, businessId, personId) : undefined;
  }

  /** The conversation goes back to the bot: false when it was not handed over. */
  async release(businessId: string, personId: string): Promise<boolean> {
    return PERSON_ID.test(personId) ? this.conversations.release(businessId, personId) : false;
  }
}
