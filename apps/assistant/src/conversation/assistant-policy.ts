import { type AssistantLanguage, type HandoffReason } from '@wt/contracts';
import { type KnowledgeIndex, type KnowledgeMatch } from '../retrieval/knowledge-index';
import { fold } from '../retrieval/text-analysis';

export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export type CommandName = 'stop' | 'why' | 'delete';

/**
 * Command words, per language. `STOP` is understood everywhere; its language is then the
 * conversation's. A command is the whole message (punctuation and case aside), never a word inside a question.
 */
const COMMANDS: Record<string, { command: CommandName; language?: AssistantLanguage }> = {
  stop: { command: 'stop' },
  unsubscribe: { command: 'stop', language: 'en' },
  arret: { command: 'stop', language: 'fr' },
  arreter: { command: 'stop', language: 'fr' },
  'stop pub': { command: 'stop', language: 'fr' },
  why: { command: 'why', language: 'en' },
  'why this message': { command: 'why', language: 'en' },
  pourquoi: { command: 'why', language: 'fr' },
  'pourquoi ce message': { command: 'why', language: 'fr' },
  delete: { command: 'delete', language: 'en' },
  'delete my data': { command: 'delete', language: 'en' },
  supprimer: { command: 'delete', language: 'fr' },
  'supprimer mes donnees': { command: 'delete', language: 'fr' },
};

/** Words that ask for a person, per language (folded). */
const HUMAN_WORDS: Record<AssistantLanguage, readonly string[]> = {
  en: ['human', 'agent', 'person', 'someone', 'somebody', 'representative', 'operator', 'advisor', 'staff'],
  fr: ['humain', 'conseiller', 'conseillere', 'quelqu', 'quelquun', 'agent', 'operateur', 'operatrice', 'vendeur', 'vendeuse'],
};

/** Lower case, no accents, only letters, digits and single spaces. */
export function simplify(text: string): string {
  return fold(text)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function readCommand(text: string): { command: CommandName; language?: AssistantLanguage } | undefined {
  return COMMANDS[simplify(text)];
}

/** The language of the words asking for a person, if the message asks for one. */
export function asksForHuman(text: string): AssistantLanguage | undefined {
  const words = new Set(simplify(text).split(' '));
  for (const language of ['fr', 'en'] as const) {
    if (HUMAN_WORDS[language].some((word) => words.has(word))) return language;
  }
  return undefined;
}

/** The 24 h customer-service window: open until 24 h after the person's last inbound message. */
export function isWindowOpen(lastInboundAt: Date, now: Date): boolean {
  return now.getTime() < lastInboundAt.getTime() + SERVICE_WINDOW_MS;
}

export type AssistantAction =
  | { kind: 'answer'; language: AssistantLanguage; match: KnowledgeMatch }
  | { kind: 'handoff'; language: AssistantLanguage; reason: HandoffReason; best?: KnowledgeMatch }
  | { kind: 'command'; language: AssistantLanguage; command: CommandName };

export interface MessageToDecide {
  kind: 'text' | 'button' | 'interactive' | 'other';
  text?: string;
}

/**
 * What the assistant does with one message. It never writes text of its own: it answers with the
 * business's answer, runs a command, or hands over to a person.
 */
export function decide(
  message: MessageToDecide,
  index: KnowledgeIndex,
  options: { threshold: number; conversationLanguage?: AssistantLanguage },
): AssistantAction {
  const fallback = options.conversationLanguage ?? 'en';
  const text = message.text?.trim();
  if (!text) return { kind: 'handoff', language: fallback, reason: 'unsupported_message' };
  const command = readCommand(text);
  if (command) return { kind: 'command', command: command.command, language: command.language ?? fallback };
  const human = asksForHuman(text);
  if (human) return { kind: 'handoff', language: human, reason: 'requested' };
  const { best, language } = index.answer(text, options.conversationLanguage);
  if (best && best.confidence >= options.threshold) return { kind: 'answer', language: best.entry.language, match: best };
  return { kind: 'handoff', language, reason: 'low_confidence', best };
}
