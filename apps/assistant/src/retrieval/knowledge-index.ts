import MiniSearch, { type SearchResult } from 'minisearch';
import { ASSISTANT_LANGUAGES, type AssistantLanguage } from '@wt/contracts';
import { gloss, withinOneEdit } from './gloss';
import { cosine, type SentenceEmbedder } from './sentence-embedder';
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
  /** BM25+ score from MiniSearch (unbounded; only comparable within one index). 0 when only the meaning matched. */
  readonly score: number;
  /** 0..1: share of the message's content (IDF-weighted terms, greetings and politeness left out) that the entry covers. */
  readonly coverage: number;
  /** -1..1: cosine similarity of the message's meaning to the closest way of asking the entry (0 without a model). */
  readonly similarity: number;
  /** 0..1: how sure the assistant is that this entry answers the message (coverage and similarity combined). */
  readonly confidence: number;
  /** How far ahead of the best entry that asks something else this one is (1 when there is none). */
  readonly margin: number;
}

export interface KnowledgeAnswer {
  /** The best entry, whatever its confidence (the caller applies its threshold and margin). */
  readonly best?: KnowledgeMatch;
  /** The language the message seems to be written in (a tie: the conversation's); a handoff notice is sent in it. */
  readonly language: AssistantLanguage;
}

/**
 * The weights of the two signals, calibrated on the development set (`npx nx run assistant:accuracy
 * -- --set dev --sweep`, docs/assistant.md), never on the held-out set.
 */
export const RETRIEVAL_TUNING = {
  /** The weight of the meaning (cosine similarity) against the words (coverage) when a model runs. */
  semanticWeight: 0.6,
  /** Two entries whose questions or answers mean this much the same are one question (a translation): no margin between them. */
  sameQuestion: 0.8,
};

/** A term matched only in the answer counts for less than one matched in the question. */
const ANSWER_ONLY_WEIGHT = 0.6;
/** A term matched with a typo (edit distance) counts for a bit less than an exact one. */
const FUZZY_WEIGHT = 0.8;

interface IndexedDocument {
  id: string;
  question: string;
  answer: string;
}

/**
 * BM25+ (MiniSearch) over the English glosses of the entries (gloss.ts): a French entry and an
 * English message meet on the same words. Coverage is the share of the message's IDF-weighted
 * terms an entry holds.
 */
class LexicalIndex {
  private readonly search: MiniSearch<IndexedDocument>;
  private readonly documentFrequency = new Map<string, number>();
  private readonly size: number;

  constructor(entries: readonly KnowledgeEntry[]) {
    this.search = new MiniSearch<IndexedDocument>({
      fields: ['question', 'answer'],
      tokenize: (text) => analyze(text, 'en'),
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
      question: [entry.question, ...entry.variants].map(gloss).join('\n'),
      answer: gloss(entry.answer),
    }));
    this.search.addAll(documents);
    for (const document of documents) {
      for (const term of new Set([...analyze(document.question, 'en'), ...analyze(document.answer, 'en')])) {
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
      }
    }
    this.size = entries.length;
    this.phrasingTerms = entries.map((entry) =>
      [entry.question, ...entry.variants].map((text) => [...new Set(analyze(gloss(text), 'en'))]).filter((terms) => terms.length > 0),
    );
  }

  /** Per entry, the terms of each way of asking it. */
  private readonly phrasingTerms: string[][][];

  /**
   * How much of the entry the message covers: the best share, over the ways of asking the entry,
   * of the IDF-weighted terms the message holds (a typo of one letter in five still counts, for less).
   * A long message that asks the entry among other things covers it whole.
   */
  entryCoverage(glossed: string): number[] {
    const terms = new Set(analyze(glossed, 'en'));
    const holds = (term: string): number => {
      if (terms.has(term)) return 1;
      if (term.length < 5) return 0;
      for (const t of terms) if (Math.abs(t.length - term.length) <= 1 && withinOneEdit(t, term)) return FUZZY_WEIGHT;
      return 0;
    };
    return this.phrasingTerms.map((phrasings) =>
      Math.max(
        0,
        ...phrasings.map((list) => {
          const total = list.reduce((sum, term) => sum + this.idf(term), 0);
          const covered = list.reduce((sum, term) => sum + this.idf(term) * holds(term), 0);
          return total > 0 ? covered / total : 0;
        }),
      ),
    );
  }

  /**
   * BM25's inverse document frequency. A word no entry contains weighs as much as the rarest known
   * word (df = 1), not more: with BM25's own formula (df = 0) one extra word such as "bought" would
   * outweigh two matching ones in a small knowledge base.
   */
  private idf(term: string): number {
    const df = Math.max(1, this.documentFrequency.get(term) ?? 0);
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /** Every entry sharing a term with the glossed message: its BM25 score and coverage. */
  matches(glossed: string): Map<string, { score: number; coverage: number }> {
    const found = new Map<string, { score: number; coverage: number }>();
    const queryTerms = [...new Set(analyze(glossed, 'en'))];
    if (queryTerms.length === 0 || this.size === 0) return found;
    for (const result of this.search.search(queryTerms.join(' '))) {
      found.set(String(result.id), { score: result.score, coverage: this.coverage(queryTerms, result) });
    }
    return found;
  }

  private coverage(queryTerms: string[], result: SearchResult): number {
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

interface SemanticIndex {
  readonly embedder: SentenceEmbedder;
  /** Per entry: the vectors of its question and of each variant (glossed). */
  readonly phrasings: readonly Float32Array[][];
  /** Per entry: the ids of the entries asking the same question (translations), itself included. */
  readonly sameQuestion: readonly Set<string>[];
}

/**
 * The knowledge base of one business, searchable two ways side by side: by words (BM25+ over the
 * English glosses: coverage) and, when a sentence-embedding model runs, by meaning (cosine
 * similarity of the glosses). Greetings and politeness are left out of both. The confidence
 * combines the two; the margin is the distance to the best entry that asks something else.
 */
export class KnowledgeIndex {
  private readonly lexical: LexicalIndex;
  private readonly main: AssistantLanguage | undefined;
  /** Without a model: entries whose glossed questions share most of their terms ask the same question. */
  private readonly sameWords: readonly Set<string>[];

  private constructor(
    readonly entries: readonly KnowledgeEntry[],
    private readonly semantic: SemanticIndex | undefined,
  ) {
    this.lexical = new LexicalIndex(entries);
    const counts = ASSISTANT_LANGUAGES.map((language) => ({ language, n: entries.filter((e) => e.language === language).length }));
    counts.sort((a, b) => b.n - a.n);
    this.main = counts[0] && counts[0].n > (counts[1]?.n ?? 0) ? counts[0].language : undefined;
    const terms = entries.map((entry) => new Set(analyze(gloss(entry.question), 'en')));
    this.sameWords = terms.map((mine) => {
      const same = new Set<string>();
      terms.forEach((theirs, j) => {
        const shared = [...mine].filter((term) => theirs.has(term)).length;
        const union = new Set([...mine, ...theirs]).size;
        if (union > 0 && shared / union >= 0.5) same.add(entries[j]!.id);
      });
      return same;
    });
  }

  /** An index by words only (no model). */
  static lexical(entries: readonly KnowledgeEntry[]): KnowledgeIndex {
    return new KnowledgeIndex(entries, undefined);
  }

  /** An index by words and, with a model, by meaning: every way of asking each entry is embedded once, here. */
  static async build(entries: readonly KnowledgeEntry[], embedder?: SentenceEmbedder): Promise<KnowledgeIndex> {
    if (!embedder) return KnowledgeIndex.lexical(entries);
    const texts = entries.map((entry) => [entry.question, ...entry.variants].map(gloss));
    const vectors = await embedder.embed([...texts.flat(), ...entries.map((entry) => gloss(entry.answer))]);
    let at = 0;
    const phrasings = texts.map((list) => list.map(() => vectors[at++]!));
    const answers = entries.map(() => vectors[at++]!);
    // A translation: the same question, or the same answer, in the other language.
    const sameQuestion = entries.map((_, i) => {
      const same = new Set<string>();
      entries.forEach((other, j) => {
        const question = cosine(phrasings[i]![0]!, phrasings[j]![0]!);
        const answer = cosine(answers[i]!, answers[j]!);
        if (i === j || Math.max(question, answer) >= RETRIEVAL_TUNING.sameQuestion) same.add(other.id);
      });
      return same;
    });
    return new KnowledgeIndex(entries, { embedder, phrasings, sameQuestion });
  }

  /** The language most of the business's entries are written in; undefined for a tie (or no entry). */
  mainLanguage(): AssistantLanguage | undefined {
    return this.main;
  }

  /** Whether entries are also matched by meaning. */
  get semanticSearch(): boolean {
    return this.semantic !== undefined;
  }

  async answer(text: string, preferred?: AssistantLanguage): Promise<KnowledgeAnswer> {
    const guessed = guessLanguage(text, preferred);
    const glossed = gloss(text);
    if (glossed.length === 0 || this.entries.length === 0) return { language: guessed };
    const lexical = this.lexical.matches(glossed);
    const entryCoverage = this.lexical.entryCoverage(glossed);
    let similarities: number[] | undefined;
    if (this.semantic) {
      const [vector] = await this.semantic.embedder.embed([glossed]);
      const phrasings = this.semantic.phrasings;
      similarities = this.entries.map((_, i) => Math.max(...phrasings[i]!.map((p) => cosine(vector!, p))));
    }
    const weight = similarities ? RETRIEVAL_TUNING.semanticWeight : 0;
    const scored = this.entries.map((entry, i) => {
      const words = lexical.get(entry.id);
      const similarity = similarities?.[i] ?? 0;
      // Both ways (geometric mean): how much of the message the entry holds, and how much of the entry
      // the message asks. A long message asking the entry among other things still covers it.
      const coverage = Math.sqrt((words?.coverage ?? 0) * (entryCoverage[i] ?? 0));
      return {
        index: i,
        entry,
        score: words?.score ?? 0,
        coverage,
        similarity,
        confidence: Math.max(0, Math.min(1, weight * similarity + (1 - weight) * coverage)),
      };
    });
    scored.sort((a, b) => b.confidence - a.confidence || (a.entry.language === guessed ? -1 : 1));
    let top = scored[0];
    if (!top || (top.score === 0 && top.similarity <= 0)) return { language: guessed };
    const same = (this.semantic?.sameQuestion ?? this.sameWords)[top.index] ?? new Set([top.entry.id]);
    // The same question in the message's language, if the business taught it in both.
    const inLanguage = scored.find((s) => same.has(s.entry.id) && s.entry.language === guessed && s.confidence >= top!.confidence - 0.05);
    if (inLanguage) top = inLanguage;
    const rival = scored.find((s) => !same.has(s.entry.id) && s.entry.id !== top!.entry.id);
    const margin = rival ? top.confidence - rival.confidence : 1;
    const { index: _index, ...match } = top;
    return { best: { ...match, margin }, language: guessed };
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
