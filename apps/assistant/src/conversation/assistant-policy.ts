import { type AssistantLanguage, type HandoffReason, isServiceWindowOpen } from '@wt/contracts';
import { type KnowledgeIndex, type KnowledgeMatch } from '../retrieval/knowledge-index';
import { closestIntent, INTENT_CALIBRATION } from './intent-meaning';
import { type CommandName, type IntentName, recognizeIntent } from './intents';

export type { CommandName } from './intents';

/** The 24 h customer-service window: open until 24 h after the person's last inbound message. */
export function isWindowOpen(lastInboundAt: Date, now: Date): boolean {
  return isServiceWindowOpen(lastInboundAt.getTime(), now.getTime());
}

/** With an agent: handed over less than 24 h ago (the window of the handoff) and not given back to the bot. */
export function isWithAgent(conversation: { state: 'bot' | 'handed_off'; handedOffAt: Date | null }, now: Date): boolean {
  return conversation.state === 'handed_off' && conversation.handedOffAt !== null && isWindowOpen(conversation.handedOffAt, now);
}

export type AssistantAction =
  | { kind: 'answer'; language: AssistantLanguage; match: KnowledgeMatch }
  | { kind: 'handoff'; language: AssistantLanguage; reason: HandoffReason; best?: KnowledgeMatch }
  | { kind: 'command'; language: AssistantLanguage; command: CommandName };

export interface MessageToDecide {
  kind: 'text' | 'button' | 'interactive' | 'other';
  text?: string;
}

export interface DecideOptions {
  /** The confidence an answer needs (0..1). */
  threshold: number;
  /** How far ahead of the best entry asking something else the answer must be (0..1). */
  margin?: number;
  /** How close (cosine) a message no pattern recognises must come to a command's phrasings to be that command. */
  commandThreshold?: number;
  /** The language the conversation was last held in, if there was one. */
  conversationLanguage?: AssistantLanguage;
  /** The language the business mostly teaches in: the confirmations' language when the message's is unclear. */
  businessLanguage?: AssistantLanguage;
}

/**
 * What the assistant does with one message. It never writes text of its own: it answers with the
 * business's answer, runs a command, or hands over to a person. A command is recognised before any
 * retrieval, so a request to stop always revokes, whatever the knowledge base would have answered:
 * by its patterns, else (with a model) by how close the message comes to the commands' phrasings.
 */
export async function decide(message: MessageToDecide, index: KnowledgeIndex, options: DecideOptions): Promise<AssistantAction> {
  const fallback = options.conversationLanguage ?? options.businessLanguage ?? index.mainLanguage() ?? 'en';
  const text = message.text?.trim();
  if (!text) return { kind: 'handoff', language: fallback, reason: 'unsupported_message' };
  let intent: { intent: IntentName; language?: AssistantLanguage } | undefined = recognizeIntent(text);
  if (!intent && index.embedder) {
    const meant = await closestIntent(text, index.embedder);
    if (meant && meant.similarity >= (options.commandThreshold ?? INTENT_CALIBRATION.threshold)) intent = meant;
  }
  if (intent) {
    const language = intent.language ?? fallback;
    if (intent.intent === 'human') return { kind: 'handoff', language, reason: 'requested' };
    return { kind: 'command', command: intent.intent, language };
  }
  const { best, language } = await index.answer(text, options.conversationLanguage ?? options.businessLanguage);
  if (best && best.confidence >= options.threshold && best.margin >= (options.margin ?? 0))
    return { kind: 'answer', language: best.entry.language, match: best };
  return { kind: 'handoff', language, reason: 'low_confidence', best };
}
