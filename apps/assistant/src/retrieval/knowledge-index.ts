import MiniSearch, { type SearchResult } from 'minisearch';
import { ASSISTANT_LANGUAGES, type AssistantLanguage } from '@wt/contracts';
import { contentWords as writtenWords, gloss, glossSenses, knownToGloss, looksFrench, withinOneEdit } from './gloss';
import { cosine, type TextEmbedder } from './sentence-embedder';
import { analyze, contentWords, stopwordCount } from './text-analysis';

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
  /** 0..1: BM25 coverage, both ways (how much of the message the entry holds, how much of the entry the message asks; geometric mean). */
  readonly coverage: number;
  /**
   * 0..1: how much of what the message asks the entry covers: the IDF-weighted share of the
   * message's content words (greetings, politeness and filler left out) that the entry holds, or
   * holds a word close in meaning to ("parcel" for "package").
   */
  readonly wordCoverage: number;
  /** The message's content words the entry covers least (closeness under the `closeHigh`): what it does not talk about. */
  readonly uncovered: readonly string[];
  /** -1..1: cosine similarity of the message's meaning to the closest way of asking the entry (0 without a model). */
  readonly similarity: number;
  /** 0..1: how sure the assistant is that this entry answers the message: semanticWeight × similarity + (1 − semanticWeight) × wordCoverage. */
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
  /** The weight of the meaning (cosine similarity) against the words (word coverage) when a model runs. */
  semanticWeight: 0.6,
  /** A message word whose closest word in the entry is below this cosine is not covered at all... */
  closeLow: 0.5,
  /** ...and at or above this one, covered as if the entry held it (linear in between). */
  closeHigh: 0.8,
  /** Two entries whose questions or answers mean this much the same are one question (a translation): no margin between them. */
  sameQuestion: 0.8,
  /**
   * Two entries in different languages that are each other's closest entry in the other language
   * (question and answer together), at least this similar, are one question too: a translation the
   * model reads less well than 0.8 through the gloss.
   */
  mutualTranslation: 0.5,
  /** How much a match of the message with the entry's ANSWER counts against one with its question (0: not at all). */
  answerWeight: 0.85,
};

/**
 * Words that say nothing about WHAT is asked (wanting, knowing, asking, wondering, negation, vague
 * quantities, the article named generically): left out of the words the entry must cover, so "I would like to know if you could"
 * neither helps nor hurts. Read after the gloss (English).
 */
const FILLER_WORDS = new Set(
  (
    'want wants wanted need needs would like know knew wonder wondering whether possible able get got make thing things ' +
    'tell ask asking asked question help still always never nothing anything something sure really just also bit lot ' +
    'not no yes ok okay will can could should may might please thanks hello hi work works policy ' +
    // The article itself, named generically: every question of a shop is about one ("return a pair", "rapporter un article").
    'item items pair pairs article articles'
  ).split(' '),
);

/**
 * The answer rule's defaults, calibrated with RETRIEVAL_TUNING on the development sets only
 * (`--set dev --sweep`, docs/assistant.md): among the settings whose every neighbour (threshold
 * ±0.02, margin ±0.02) answers wrongly at most 0.5 % of all messages of both development sets, at
 * most 1 % of each set alone, and hands off 95 % of the unanswerable, the one whose worst neighbour
 * answers the most answerable messages right. An entry answers when its confidence is at least
 * `threshold` and it is `margin` ahead of the best entry asking something else: a wide margin, so that
 * a message two entries could answer goes to a person.
 */
export const ANSWER_CALIBRATION = { threshold: 0.57, margin: 0.16 } as const;

/** Single words embedded for messages are kept up to this many (then the cache starts again). */
const WORD_CACHE_LIMIT = 20_000;

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
  idf(term: string): number {
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
  readonly embedder: TextEmbedder;
  /** Per entry: the vectors of its question and of each variant (glossed). */
  readonly phrasings: readonly Float32Array[][];
  /** Per entry: the vector of its answer (glossed). */
  readonly answers: readonly Float32Array[];
  /** Per entry: the index terms of its content words (question, variants, answer; glossed), and each word's own vector. */
  readonly entryWords: readonly { terms: ReadonlySet<string>; vectors: readonly Float32Array[] }[];
  /** Vectors of single words already embedded (the entries' for good, the messages' most recent ones). */
  readonly wordVectors: Map<string, Float32Array>;
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
  /** Per entry: the index terms of its question, variants and answer (glossed). */
  private readonly entryTerms: readonly ReadonlySet<string>[];
  /** Without a model: entries whose glossed questions share most of their terms ask the same question. */
  private readonly sameWords: readonly Set<string>[];
  /** The words the knowledge base is written with (folded, as written and glossed), by length: what a typo is corrected to. */
  private readonly vocabulary = new Map<number, Set<string>>();

  private constructor(
    readonly entries: readonly KnowledgeEntry[],
    private readonly semantic: SemanticIndex | undefined,
  ) {
    this.lexical = new LexicalIndex(entries);
    this.entryTerms = entries.map(
      (entry) => new Set(contentWords([entry.question, ...entry.variants, entry.answer].map(gloss).join('\n'), 'en').map((w) => w.term)),
    );
    const counts = ASSISTANT_LANGUAGES.map((language) => ({ language, n: entries.filter((e) => e.language === language).length }));
    counts.sort((a, b) => b.n - a.n);
    this.main = counts[0] && counts[0].n > (counts[1]?.n ?? 0) ? counts[0].language : undefined;
    for (const entry of entries) {
      for (const text of [entry.question, ...entry.variants, entry.answer]) {
        for (const word of [...writtenWords(text), ...gloss(text).split(' ')]) {
          if (word.length >= TYPO_MIN_LENGTH - 1)
            this.vocabulary.set(word.length, (this.vocabulary.get(word.length) ?? new Set()).add(word));
        }
      }
    }
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
  static async build(entries: readonly KnowledgeEntry[], embedder?: TextEmbedder): Promise<KnowledgeIndex> {
    if (!embedder) return KnowledgeIndex.lexical(entries);
    const texts = entries.map((entry) => [entry.question, ...entry.variants].map(gloss));
    const vectors = await embedder.embed([...texts.flat(), ...entries.map((entry) => gloss(entry.answer))]);
    let at = 0;
    const phrasings = texts.map((list) => list.map(() => vectors[at++]!));
    const answers = entries.map(() => vectors[at++]!);
    // A translation: the same question, or the same answer, in the other language; or the two entries
    // of different languages that are each other's closest (question and answer averaged).
    const pair = (i: number, j: number) => (cosine(phrasings[i]![0]!, phrasings[j]![0]!) + cosine(answers[i]!, answers[j]!)) / 2;
    const closestInOtherLanguage = entries.map((entry, i) => {
      let best = -1;
      let bestSimilarity = -Infinity;
      entries.forEach((other, j) => {
        if (other.language === entry.language) return;
        const similarity = pair(i, j);
        if (similarity > bestSimilarity) [best, bestSimilarity] = [j, similarity];
      });
      return { index: best, similarity: bestSimilarity };
    });
    const sameQuestion = entries.map((_, i) => {
      const same = new Set<string>();
      entries.forEach((other, j) => {
        const question = cosine(phrasings[i]![0]!, phrasings[j]![0]!);
        const answer = cosine(answers[i]!, answers[j]!);
        const mutual =
          closestInOtherLanguage[i]!.index === j &&
          closestInOtherLanguage[j]!.index === i &&
          closestInOtherLanguage[i]!.similarity >= RETRIEVAL_TUNING.mutualTranslation;
        if (i === j || mutual || Math.max(question, answer) >= RETRIEVAL_TUNING.sameQuestion) same.add(other.id);
      });
      return same;
    });
    const wordVectors = new Map<string, Float32Array>();
    const wordsOf = entries.map((entry) => contentWords([entry.question, ...entry.variants, entry.answer].map(gloss).join('\n'), 'en'));
    const unique = [...new Set(wordsOf.flat().map((w) => w.word))];
    (await embedder.embed(unique)).forEach((vector, i) => wordVectors.set(unique[i]!, vector));
    const entryWords = wordsOf.map((list) => ({
      terms: new Set(list.map((w) => w.term)),
      vectors: [...new Set(list.map((w) => w.word))].map((word) => wordVectors.get(word)!),
    }));
    return new KnowledgeIndex(entries, { embedder, phrasings, answers, sameQuestion, entryWords, wordVectors });
  }

  /** The language most of the business's entries are written in; undefined for a tie (or no entry). */
  mainLanguage(): AssistantLanguage | undefined {
    return this.main;
  }

  /** The sentence model the index reads meaning with, if any. */
  get embedder(): TextEmbedder | undefined {
    return this.semantic?.embedder;
  }

  /** Whether entries are also matched by meaning. */
  get semanticSearch(): boolean {
    return this.semantic !== undefined;
  }

  /** Forgets the single words embedded for messages (the benchmark's worst case: every word of the next message is new). */
  forgetMessageWords(): void {
    if (!this.semantic) return;
    this.semantic.wordVectors.clear();
  }

  /** The vectors of these words, embedded in one run for those not seen yet (the cache keeps the entries' words and the last few thousand). */
  private async wordVectorsOf(wordsToEmbed: readonly string[]): Promise<Float32Array[]> {
    const semantic = this.semantic!;
    const missing = [...new Set(wordsToEmbed.filter((word) => !semantic.wordVectors.has(word)))];
    if (missing.length > 0) {
      if (semantic.wordVectors.size > WORD_CACHE_LIMIT) semantic.wordVectors.clear();
      (await semantic.embedder.embed(missing)).forEach((vector, i) => semantic.wordVectors.set(missing[i]!, vector));
    }
    return wordsToEmbed.map((word) => semantic.wordVectors.get(word)!);
  }

  /**
   * Per entry, each content word of the message: its weight (IDF) and how close the entry comes to
   * it: 1 when the entry holds the word (its stem), else the cosine of the word to the entry's
   * closest word ("parcel" and "package" are close, "Paris" and "shop" are not). A word the person
   * wrote counts once: when the gloss gives it several English words (`colis` → parcel, package), it
   * weighs as its rarest one (highest IDF) and the entry covers it as well as it covers the closest one.
   * (Weighing each English word by its own IDF instead did worse on the development sets.)
   */
  private async wordMatches(senses: readonly (readonly string[])[]): Promise<{ word: string; weight: number; closeness: number }[][]> {
    const semantic = this.semantic;
    const groups = new Map<string, { word: string; term: string }[]>();
    for (const sense of senses) {
      const found = contentWords(sense.join(' '), 'en').filter((w) => !FILLER_WORDS.has(w.word));
      if (found.length > 0) groups.set(found.map((w) => w.term).join(' '), found);
    }
    const unique = [...new Map([...groups.values()].flat().map((w) => [w.term, w])).values()];
    const vectors = semantic ? await this.wordVectorsOf(unique.map((w) => w.word)) : [];
    const vectorOf = new Map(unique.map((w, k) => [w.term, vectors[k]]));
    return this.entries.map((_, i) => {
      const terms = this.entryTerms[i]!;
      const entry = semantic?.entryWords[i];
      const closenessOf = (w: { term: string }): number => {
        let closeness = terms.has(w.term) ? 1 : 0;
        if (closeness === 0 && w.term.length >= 5) {
          for (const t of terms) if (Math.abs(t.length - w.term.length) <= 1 && withinOneEdit(t, w.term)) closeness = FUZZY_WEIGHT;
        }
        const vector = vectorOf.get(w.term);
        if (closeness < 1 && entry && vector) closeness = Math.max(closeness, ...entry.vectors.map((v) => cosine(vector, v)));
        return closeness;
      };
      return [...groups.values()].map((group) => ({
        word: group.map((w) => w.word).join('/'),
        weight: Math.max(...group.map((w) => this.lexical.idf(w.term))),
        closeness: Math.max(...group.map(closenessOf)),
      }));
    });
  }

  /** Every entry against one reading of the message (its gloss, word by word), with its vector when a model runs. */
  private async score(senses: readonly (readonly string[])[], vector: Float32Array | undefined) {
    const glossed = joinSenses(senses);
    const lexical = this.lexical.matches(glossed);
    const entryCoverage = this.lexical.entryCoverage(glossed);
    const semantic = this.semantic;
    const weight = semantic && vector ? RETRIEVAL_TUNING.semanticWeight : 0;
    const wordMatches = await this.wordMatches(senses);
    return this.entries.map((entry, i) => {
      const { wordCoverage, uncovered } = coverageOf(wordMatches[i]!);
      const words = lexical.get(entry.id);
      // The closest way of asking the entry, or its answer (which often holds the words of the
      // question: "close on Saturday" and "open Monday to Saturday"), counted for a bit less.
      const similarity =
        semantic && vector
          ? Math.max(
              ...semantic.phrasings[i]!.map((p) => cosine(vector, p)),
              RETRIEVAL_TUNING.answerWeight * cosine(vector, semantic.answers[i]!),
            )
          : 0;
      // BM25 coverage both ways (geometric mean), kept to explain the match: how much of the message the entry holds, how much of the entry the message asks.
      const coverage = Math.sqrt((words?.coverage ?? 0) * (entryCoverage[i] ?? 0));
      return {
        index: i,
        entry,
        score: words?.score ?? 0,
        coverage,
        wordCoverage,
        uncovered,
        similarity,
        confidence: Math.max(0, Math.min(1, weight * similarity + (1 - weight) * wordCoverage)),
      };
    });
  }

  /**
   * The message with its typos corrected to the knowledge base's own words: a word of five letters or
   * more that neither the knowledge base, the gloss nor either language's stop words know, and that is one
   * slip of the finger from exactly one word of the knowledge base, becomes that word ("opning" → opening,
   * "retrun" → return, "delivrey" → delivery). A word near none, or near two, is left as written.
   */
  corrected(text: string): string {
    return writtenWords(text)
      .map((word) => {
        if (word.length < TYPO_MIN_LENGTH || /\d/.test(word) || this.vocabulary.get(word.length)?.has(word) || knownToGloss(word))
          return word;
        if (stopwordCount(word, 'en') > 0 || stopwordCount(word, 'fr') > 0) return word;
        const near = new Set<string>();
        for (const length of [word.length - 1, word.length, word.length + 1])
          for (const known of this.vocabulary.get(length) ?? []) if (withinOneEdit(known, word)) near.add(known);
        const [only] = near;
        return near.size === 1 && only !== undefined ? only : word;
      })
      .join(' ');
  }

  async answer(text: string, preferred?: AssistantLanguage): Promise<KnowledgeAnswer> {
    const guessed = guessLanguage(text, preferred);
    const glossed = gloss(text);
    if (glossed.length === 0 || this.entries.length === 0) return { language: guessed };
    // A long message is also read part by part (its sentences and clauses): the question is
    // usually one of them, the rest is the story around it. Each entry keeps its best reading.
    // Whether the message is French is read on the whole of it (a clause alone may hold no stop word).
    const french = looksFrench(text);
    const readings = [text, ...passages(text)].map((reading) => glossSenses(this.corrected(reading), french));
    const vectors = this.semantic ? await this.semantic.embedder.embed(readings.map(joinSenses)) : [];
    const candidates = await Promise.all(readings.map((reading, r) => this.score(reading, vectors[r])));
    const scored = this.entries.map((_, i) => {
      let best = candidates[0]![i]!;
      for (const candidate of candidates.slice(1)) if (candidate[i]!.confidence > best.confidence) best = candidate[i]!;
      return best;
    });
    // Ties (the same confidence) go to the entry BM25 ranks higher, then to the message's language.
    scored.sort((a, b) => b.confidence - a.confidence || b.score - a.score || (a.entry.language === guessed ? -1 : 1));
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

/** Words this long or longer may be corrected as typos (shorter ones are too often other words). */
const TYPO_MIN_LENGTH = 5;

const joinSenses = (senses: readonly (readonly string[])[]) => senses.map((sense) => sense.join(' ')).join(' ');

/** A message this long (content words) is also read part by part. */
const LONG_MESSAGE_WORDS = 10;

/** The parts of a long message that may hold its question: sentences and clauses of two glossed words or more (none for a short message). */
export function passages(text: string): string[] {
  const parts = new Set(questionSentences(text));
  const unsigned = withoutSignature(text);
  if (unsigned !== text) parts.add(unsigned);
  if (gloss(text).split(' ').length >= LONG_MESSAGE_WORDS)
    for (const part of text.split(/[.!?;,:\n]+|\s(?:but|so|mais|donc|alors|et|and)\s/i))
      if (gloss(part).split(' ').length >= 2) parts.add(part);
  return [...parts];
}

/** A name signed at the end of a message, after a comma, a dash or a new line: "..., Tom", "— M. Martin", "\nJulie D." */
const SIGNATURE = /(?:[,\n]|\s[-–—])\s*(?:(?:m|mme|mr|mrs|ms|dr)\.?\s+)?\p{Lu}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*\.?)?\s*[.!]*\s*$/u;

/** The message without the name signed at its end (a name the knowledge base never holds only lowers its coverage). */
export function withoutSignature(text: string): string {
  return text.replace(SIGNATURE, '').trim() || text;
}

/**
 * The sentences of a message that ask (end with a question mark), when the message has more than one
 * sentence: the question alone, without the greeting, the story or the signature around it ("Hi there!
 * Quick one: how do I ...? Thanks, Tom" → "how do I ...?"). A preamble before a colon is left out too.
 */
export function questionSentences(text: string): string[] {
  const sentences = text.split(/(?<=[.!?…])\s+|\n+/).filter((sentence) => sentence.trim().length > 0);
  if (sentences.length < 2) return [];
  return sentences
    .filter((sentence) => sentence.includes('?'))
    .map((sentence) => sentence.replace(/^[^:?]*:\s*/, '').trim())
    .filter((sentence) => gloss(sentence).length > 0);
}

/** How much of the message's words an entry covers (closeness mapped linearly from closeLow to closeHigh), and which it does not. */
function coverageOf(matches: readonly { word: string; weight: number; closeness: number }[]): {
  wordCoverage: number;
  uncovered: string[];
} {
  const { closeLow, closeHigh } = RETRIEVAL_TUNING;
  let total = 0;
  let covered = 0;
  const uncovered: string[] = [];
  for (const { word, weight, closeness } of matches) {
    const share = Math.max(0, Math.min(1, (closeness - closeLow) / (closeHigh - closeLow)));
    total += weight;
    covered += weight * share;
    if (share < 1) uncovered.push(word);
  }
  return { wordCoverage: total > 0 ? covered / total : 0, uncovered };
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
