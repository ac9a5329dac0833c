import { StemmerEn, StopwordsEn, TokenizerEn } from '@nlpjs/lang-en-min';
import { StemmerFr, StopwordsFr, TokenizerFr } from '@nlpjs/lang-fr';
import { type AssistantLanguage } from '@wt/contracts';

interface Pipeline {
  tokenizer: { tokenize(text: string, normalize?: boolean): string[] };
  stemmer: { stemWord(word: string): string };
  stopwords: { isStopword(word: string): boolean };
}

const PIPELINES: Record<AssistantLanguage, Pipeline> = {
  en: { tokenizer: new TokenizerEn(), stemmer: new StemmerEn(), stopwords: new StopwordsEn() },
  fr: { tokenizer: new TokenizerFr(), stemmer: new StemmerFr(), stopwords: new StopwordsFr() },
};

/** Lower case, accents removed (é → e, ç → c), typographic apostrophes made plain. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[’‘`´]/g, "'")
    .toLowerCase();
}

/** Words of a text as nlp.js tokenizes them for the language, case and accents folded. */
export function words(text: string, language: AssistantLanguage): string[] {
  return PIPELINES[language].tokenizer
    .tokenize(fold(text), true)
    .flatMap((token) => token.split('-'))
    .map((token) => token.trim())
    .filter((token) => token.length > 0);
}

/**
 * Index terms of a text in a language: tokenized, folded (case, accents), stop words dropped,
 * each word reduced to its Snowball stem (`livraisons` and `livraison` → `livraison`,
 * `deliveries`/`delivery` → `deliveri`). The same analysis runs on questions and on messages.
 */
export function analyze(text: string, language: AssistantLanguage): string[] {
  const { stemmer, stopwords } = PIPELINES[language];
  const terms: string[] = [];
  for (const word of words(text, language)) {
    if (word.length < 2 && !/\d/.test(word)) continue;
    if (stopwords.isStopword(word)) continue;
    const stem = fold(stemmer.stemWord(word));
    if (stem.length > 0) terms.push(stem);
  }
  return terms;
}

/** The content words of a text (stop words dropped), each with its index term (analyze's stem). */
export function contentWords(text: string, language: AssistantLanguage): { word: string; term: string }[] {
  const { stemmer, stopwords } = PIPELINES[language];
  const found: { word: string; term: string }[] = [];
  for (const word of words(text, language)) {
    if (word.length < 2 && !/\d/.test(word)) continue;
    if (stopwords.isStopword(word)) continue;
    const term = fold(stemmer.stemWord(word));
    if (term.length > 0) found.push({ word, term });
  }
  return found;
}

/** A folded word's Snowball stem in a language (`livrerez` → `livr`, the stem of `livrer` too). */
export function stem(word: string, language: AssistantLanguage): string {
  return fold(PIPELINES[language].stemmer.stemWord(word));
}

/** How many of a text's words are stop words of the language: a cheap language signal for short messages. */
export function stopwordCount(text: string, language: AssistantLanguage): number {
  const { stopwords } = PIPELINES[language];
  return words(text, language).filter((word) => stopwords.isStopword(word)).length;
}
