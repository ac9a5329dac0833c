import { type AssistantLanguage } from '@wt/contracts';
import { cosine, type TextEmbedder } from '../retrieval/sentence-embedder';
import { declinesAPerson, type IntentName, normalizeForIntent, notTheCommand, withoutQuotes } from './intents';

/**
 * Commands by MEANING: a message that no intent pattern recognises is compared with a few generic
 * phrasings of each intent, written once for every business (not fitted to any evaluation message),
 * in English and French. The sentence model reads them as the patterns do (folded, SMS spelled out).
 */
export const INTENT_PROTOTYPES: Record<IntentName, Record<AssistantLanguage, readonly string[]>> = {
  stop: {
    en: [
      'stop sending me messages',
      'stop messaging me',
      'I do not want to receive your messages any more',
      'unsubscribe me from your marketing',
      'no more promotions please',
      'I am fed up with your ads, stop',
      'stop contacting me',
    ],
    fr: [
      'arretez de m envoyer des messages',
      'je ne veux plus recevoir vos messages',
      'arretez vos pubs',
      'desabonnez moi',
      'j en ai marre de vos publicites arretez',
      'ne me contactez plus',
      'stop aux promotions',
    ],
  },
  why: {
    en: [
      'why am I receiving this message',
      'why do you keep messaging me',
      'why are you contacting me',
      'who gave you my phone number',
      'how did you get my contact details',
      'where did you get my number from',
      'who sold you my number',
    ],
    fr: [
      'pourquoi je recois ce message',
      'pourquoi vous me contactez',
      'pour quelle raison vous m ecrivez',
      'qui vous a donne mon numero',
      'comment avez vous eu mon numero',
      'ou avez vous trouve mes coordonnees',
      'qui vous a vendu mon numero de telephone',
    ],
  },
  delete: {
    en: [
      'delete my personal data',
      'erase all the information you have about me',
      'remove my details from your database',
      'I want my data deleted',
      'wipe my contact details from your files',
    ],
    fr: [
      'supprimez mes donnees personnelles',
      'effacez toutes mes informations',
      'retirez mes coordonnees de votre fichier',
      'je veux que mes donnees soient supprimees',
      'enlevez mes infos de votre base client',
    ],
  },
  human: {
    en: [
      'I want to talk to a human',
      'can I speak to a real person',
      'is there a person I can chat with',
      'put me through to customer service',
      'I would rather talk to someone than a bot',
    ],
    fr: [
      'je veux parler a un humain',
      'je voudrais parler a une vraie personne',
      'est ce que je peux parler a un conseiller',
      'passez moi le service client',
      'je prefere parler a quelqu un plutot qu a un robot',
    ],
  },
};

/** How close a message must come to an intent's closest phrasing (cosine), calibrated on the development sets. */
export const INTENT_CALIBRATION = { threshold: 0.66 };

export interface IntentByMeaning {
  readonly intent: IntentName;
  readonly language: AssistantLanguage;
  /** Cosine of the message to the intent's closest phrasing. */
  readonly similarity: number;
}

interface Prototype {
  readonly intent: IntentName;
  readonly language: AssistantLanguage;
  readonly vector: Float32Array;
}

const built = new WeakMap<TextEmbedder, Promise<readonly Prototype[]>>();

/** The phrasings' vectors, embedded once per model. */
function prototypesOf(embedder: TextEmbedder): Promise<readonly Prototype[]> {
  let prototypes = built.get(embedder);
  if (!prototypes) {
    const list = (Object.keys(INTENT_PROTOTYPES) as IntentName[]).flatMap((intent) =>
      (['en', 'fr'] as const).flatMap((language) => INTENT_PROTOTYPES[intent][language].map((text) => ({ intent, language, text }))),
    );
    prototypes = embedder
      .embed(list.map((p) => normalizeForIntent(p.text).trim()))
      .then((vectors) => list.map((p, i) => ({ intent: p.intent, language: p.language, vector: vectors[i]! })));
    built.set(embedder, prototypes);
  }
  return prototypes;
}

/**
 * The intent whose phrasings the message comes closest to, with that closeness; undefined when the
 * message says not to do the command or asks about it ("how would I unsubscribe?", "pas besoin de
 * supprimer"), or is empty. The caller applies the threshold.
 */
export async function closestIntent(raw: string, embedder: TextEmbedder): Promise<IntentByMeaning | undefined> {
  const text = normalizeForIntent(withoutQuotes(raw));
  if (text.trim().length === 0 || notTheCommand(text)) return undefined;
  const [prototypes, [vector]] = await Promise.all([prototypesOf(embedder), embedder.embed([text.trim()])]);
  // A question is never a stop or a delete by meaning alone (a false stop or delete is worse than a
  // handoff): it can only be asking why, or for a person ("d'où vient ce message ?").
  const question = isQuestion(raw, text);
  let best: IntentByMeaning | undefined;
  for (const p of prototypes) {
    if (question && DESTRUCTIVE.has(p.intent)) continue;
    const similarity = cosine(vector!, p.vector);
    if (!best || similarity > best.similarity) best = { intent: p.intent, language: p.language, similarity };
  }
  return best?.intent === 'human' && declinesAPerson(text) ? undefined : best;
}

/** The commands that cannot be undone by the person's next message: only a pattern, never a question read by meaning, runs them. */
const DESTRUCTIVE: ReadonlySet<IntentName> = new Set(['stop', 'delete']);

/** Words a question starts with, in both languages (read on a normalized message). */
const QUESTION_START =
  /^ (?:why|how|what|when|where|who|which|is|are|do|does|did|can|could|would|will|should|est ce|pourquoi|comment|quoi|quand|ou|d ou|qui|quel|quelle|quels|quelles|combien|y a t il|peut on|puis je) /;

/** A question mark, or a question word first: the message asks something rather than telling the business what to do. */
export const isQuestion = (raw: string, normalized: string): boolean => raw.includes('?') || QUESTION_START.test(normalized);
