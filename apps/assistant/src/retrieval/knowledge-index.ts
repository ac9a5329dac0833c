import MiniSearch, { type SearchResult } from 'minisearch';
import { ASSISTANT_LANGUAGES, type AssistantLanguage } from '@wt/contracts';
import { analyze, stopwordCount } from './text-analysis';

/** One question the business taught the assistant, with its answer. */
export interface KnowledgeEntry {
  readonly id: string;
  readonly language: AssistantLanguage;
  readonly question: string;
  /** Other ways of asking the same question. */
  readonly variants: readonly string[];
  readonly answer: string;
}

export interface KnowledgeMatch {
  readonly entry: KnowledgeEntry;
  /** BM25+ score from MiniSearch (unbounded; only comparable within one index). */
  readonly score: number;
  /** 0..1: share of the message's information (IDF-weighted terms) that the entry covers. */
  readonly confidence: number;
}

export interface KnowledgeAnswer {
  /** The best entry, whatever its confidence (the caller applies its threshold). */
  readonly best?: KnowledgeMatch;
  /** The language of the best entry; otherwise the language the message seems to be written in. */
  readonly language: AssistantLanguage;
}

interface IndexedDocument {
  id: string;
  question: string;
  answer: string;
}

/** A term matched only in the answer counts for less than one matched in the question. */
const ANSWER_ONLY_WEIGHT = 0.6;
/** A term matched with a typo (edit distance) counts for a bit less than an exact one. */
const FUZZY_WEIGHT = 0.8;

class LanguageIndex {
  private readonly search: MiniSearch<IndexedDocument>;
  private readonly documentFrequency = new Map<string, number>();
  private readonly entries = new Map<string, KnowledgeEntry>();

  constructor(
    readonly language: AssistantLanguage,
    entries: readonly KnowledgeEntry[],
  ) {
    this.search = new MiniSearch<IndexedDocument>({
      fields: ['question', 'answer'],
      tokenize: (text) => analyze(text, language),
      processTerm: (term) => term,
      searchOptions: {
        // Queries arrive already analysed (stems): analysing them again would stem the stems.
        tokenize: (query) => query.split(' '),
        boost: { question: 2 },
        // Stems of five letters or more tolerate one typo in five characters.
        fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
        combineWith: 'OR',
      },
    });
    const documents = entries.map((entry) => ({
      id: entry.id,
      question: [entry.question, ...entry.variants].join('\n'),
      answer: entry.answer,
    }));
    this.search.addAll(documents);
    for (const document of documents) {
      for (const term of new Set([...analyze(document.question, language), ...analyze(document.answer, language)])) {
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
      }
    }
    for (const entry of entries) this.entries.set(entry.id, entry);
  }

  /**
   * BM25's inverse document frequency. A word no entry contains weighs as much as the rarest known
   * word (df = 1), not more: with BM25's own formula (df = 0) one extra word such as "bought" would
   * outweigh two matching ones in a small knowledge base.
   */
  private idf(term: string): number {
    const n = this.entries.size;
    const df = Math.max(1, this.documentFrequency.get(term) ?? 0);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  best(text: string): KnowledgeMatch | undefined {
    const queryTerms = [...new Set(analyze(text, this.language))];
    if (queryTerms.length === 0 || this.entries.size === 0) return undefined;
    const results = this.search.search(queryTerms.join(' '));
    const top = results[0];
    if (!top) return undefined;
    const entry = this.entries.get(String(top.id));
    if (!entry) return undefined;
    return { entry, score: top.score, confidence: this.confidence(queryTerms, top) };
  }

  private confidence(queryTerms: string[], result: SearchResult): number {
    const total = queryTerms.reduce((sum, term) => sum + this.idf(term), 0);
    const matched = new Set(result.queryTerms);
    let covered = 0;
    for (const term of queryTerms) {
      if (!matched.has(term)) continue;
      const fields = result.match[term];
      const weight = !fields ? FUZZY_WEIGHT : fields.includes('question') ? 1 : ANSWER_ONLY_WEIGHT;
      covered += this.idf(term) * weight;
    }
    return total > 0 ? Math.min(1, covered / total) : 0;
  }
}

/**
 * The knowledge base of one business, searchable: one BM25+ index (MiniSearch) per language, each
 * with that language's analysis (folding, stop words, Snowball stems). A message is analysed in
 * every language; the entry with the best confidence wins.
 */
export class KnowledgeIndex {
  private readonly indexes: LanguageIndex[];
  private readonly main: AssistantLanguage | undefined;

  constructor(entries: readonly KnowledgeEntry[]) {
    const counts = ASSISTANT_LANGUAGES.map((language) => ({ language, n: entries.filter((e) => e.language === language).length }));
    counts.sort((a, b) => b.n - a.n);
    this.main = counts[0] && counts[0].n > (counts[1]?.n ?? 0) ? counts[0].language : undefined;
    this.indexes = ASSISTANT_LANGUAGES.map(
      (language) =>
        new LanguageIndex(
          language,
          entries.filter((entry) => entry.language === language),
        ),
    );
  }

  /** The language most of the business's entries are written in; undefined for a tie (or no entry). */
  mainLanguage(): AssistantLanguage | undefined {
    return this.main;
  }

  answer(text: string, preferred?: AssistantLanguage): KnowledgeAnswer {
    const guessed = guessLanguage(text, preferred);
    let best: KnowledgeMatch | undefined;
    for (const index of this.indexes) {
      const match = index.best(text);
      if (!match) continue;
      const better =
        !best ||
        match.confidence > best.confidence + 1e-9 ||
        (Math.abs(match.confidence - best.confidence) <= 1e-9 && match.entry.language === guessed);
      if (better) best = match;
    }
    return { best, language: best?.entry.language ?? guessed };
  }
}

/**
 * The language a short message seems to be written in, from the stop words of each language it
 * contains (nlp.js lists); a tie keeps the conversation's language, then English.
 */
export function guessLanguage(text: string, preferred?: AssistantLanguage): AssistantLanguage {
  const en = stopwordCount(text, 'en');
  const fr = stopwordCount(text, 'fr');
  if (fr > en) return 'fr';
  if (en > fr) return 'en';
  return preferred ?? 'en';
}
