import {
  ANSWER_CALIBRATION,
  type KnowledgeEntry,
  KnowledgeIndex,
  guessLanguage,
  passages,
  questionSentences,
  withoutSignature,
} from './knowledge-index';
import { gloss, glossSenses } from './gloss';
import { modelFiles } from './model-files';
import { cosine, SentenceEmbedder } from './sentence-embedder';
import { analyze } from './text-analysis';

/** An entry as a business teaches it; its language is its id's suffix. */
const entry = (id: string, question: string, variants: string[], answer: string): KnowledgeEntry => ({
  id,
  language: id.endsWith('-fr') ? 'fr' : 'en',
  question,
  variants,
  answer,
});

const entries: KnowledgeEntry[] = [
  entry('hours-en', 'What are your opening hours?', ['When are you open?'], 'We are open Monday to Saturday, 9am to 7pm.'),
  entry(
    'hours-fr',
    "Quels sont vos horaires d'ouverture ?",
    ['Quand êtes-vous ouverts ?'],
    'Nous sommes ouverts du lundi au samedi, de 9h à 19h.',
  ),
  entry('delivery-en', 'Do you deliver to my home?', ['How long does delivery take?'], 'Home delivery takes 2 to 3 working days.'),
  entry(
    'delivery-fr',
    'Livrez-vous à domicile ?',
    ['Combien de temps prend la livraison ?'],
    'La livraison à domicile prend 2 à 3 jours ouvrés.',
  ),
  entry('refund-fr', 'Comment obtenir un remboursement ?', [], 'Rapportez l’article sous 30 jours avec le ticket.'),
];

describe('text analysis', () => {
  it('folds case and accents, drops stop words and reduces plurals to one stem', () => {
    expect(analyze('LIVRAISONS à Domicile', 'fr')).toEqual(analyze('livraison a domicile', 'fr'));
    expect(analyze('Deliveries', 'en')).toEqual(analyze('delivery', 'en'));
    expect(analyze('Quels sont vos horaires ?', 'fr')).toEqual(['horair']);
  });
});

describe('KnowledgeIndex by words (no model)', () => {
  const index = KnowledgeIndex.lexical(entries);

  it('answers a question asked as taught, in its language, with full confidence', async () => {
    const answer = await index.answer('Quels sont vos horaires d’ouverture ?');
    expect(answer.best?.entry.id).toBe('hours-fr');
    expect(answer.language).toBe('fr');
    expect(answer.best?.confidence).toBeCloseTo(1);
  });

  it('answers a rephrased question with other inflections and no accents', async () => {
    expect((await index.answer('vous livrez a domicile?')).best?.entry.id).toBe('delivery-fr');
    expect((await index.answer('how long for deliveries')).best?.entry.id).toBe('delivery-en');
  });

  it('gives low confidence to a question about something the business never taught', async () => {
    const answer = await index.answer('Do you sell bicycles?');
    expect(answer.best?.confidence ?? 0).toBeLessThan(ANSWER_CALIBRATION.threshold);
    expect(answer.language).toBe('en');
  });

  it('tolerates a typo in a long word', async () => {
    expect((await index.answer('vos horraires ?')).best?.entry.id).toBe('hours-fr');
  });

  it('corrects a typo to the one word of the knowledge base it is a slip away from, and leaves other words as written', async () => {
    expect(index.corrected('wat are your opning hours')).toBe('what are your opening hours');
    expect(index.corrected('how long dose the delivrey take')).toBe('how long does the delivery take');
    // Known to the gloss (a French word it translates), a stop word, or near no word of the business: kept.
    expect(index.corrected('vos horaires sont quoi')).toBe('vos horaires sont quoi');
    expect(index.corrected('do you sell bicycles')).toBe('do you sell bicycles');
    expect((await index.answer('wat are your opning hours')).best?.entry.id).toBe('hours-en');
  });

  it('leaves greetings and politeness out of the confidence', async () => {
    const bare = await index.answer('What are your opening hours?');
    const wrapped = await index.answer('Hello! What are your opening hours please? Thanks a lot, have a nice day');
    expect(wrapped.best?.entry.id).toBe('hours-en');
    expect(wrapped.best?.confidence).toBeCloseTo(bare.best?.confidence ?? 0);
  });

  it('matches an English question to a French-only entry through the bilingual gloss', async () => {
    const frenchOnly = KnowledgeIndex.lexical(entries.filter((entry) => entry.language === 'fr'));
    expect((await frenchOnly.answer('How do I get a refund?')).best?.entry.id).toBe('refund-fr');
  });

  it('counts a written word once, however many English words gloss it', async () => {
    expect(glossSenses('Quels ingrédients dans ce parfum ?')).toEqual([['which'], ['ingredients'], ['perfume', 'fragrance']]);
    const perfumes = KnowledgeIndex.lexical([
      { id: 'authentic', language: 'fr', question: 'Vos parfums sont-ils authentiques ?', variants: [], answer: 'Oui, 100 %.' },
      { id: 'allergy', language: 'fr', question: 'Où trouver la liste des ingrédients ?', variants: [], answer: 'Sur la fiche produit.' },
    ]);
    // "parfum" glosses as perfume and fragrance: counted twice, it would make the authenticity entry
    // cover two thirds of the message and win; counted once, the two entries cover half each.
    const answer = await perfumes.answer('Quels ingrédients dans ce parfum ?');
    expect(answer.best?.wordCoverage).toBeCloseTo(0.5);
    expect(answer.best?.margin).toBeCloseTo(0);
  });

  it('guesses the language of a message without a match from its stop words', () => {
    expect(guessLanguage('je voudrais le prix du vélo')).toBe('fr');
    expect(guessLanguage('I would like the price of the bike')).toBe('en');
    expect(guessLanguage('vélo', 'fr')).toBe('fr');
  });
});

describe('English shop words in the gloss', () => {
  it('keeps a written word and adds the plainer word it stands for', () => {
    expect(glossSenses('trainers voucher')).toEqual([
      ['trainers', 'shoes'],
      ['voucher', 'gift', 'card'],
    ]);
  });
});

describe('French words the lexicon knows in another form, and SMS writing', () => {
  it('glosses another form of a French word it knows (the same Snowball stem) in a French message', () => {
    // "livrerez", "remboursés", "commandée", "échangeable": forms the lexicon does not list.
    expect(gloss('vous me livrerez quand ?')).toBe('me deliver when');
    expect(gloss('les articles soldés sont remboursés ?')).toBe('items sale refunded');
    expect(gloss('ma commande est remboursable et échangeable ?')).toBe('order refund exchange');
  });

  it('never reads an English word as a form of a French one', () => {
    // "parts" has the French stem of "partir": in an English message it stays "parts".
    expect(gloss('can I get spare parts for my shoes?')).toBe('can i get spare parts for my shoes');
  });

  it('spells out French SMS writing and tells "cb" for combien from "cb" for a bank card', () => {
    expect(gloss('cb de tps pr recevoir la cmd')).toBe('how much time for receive order');
    expect(gloss('je peux payer par cb ?')).toBe('can pay card bank');
    expect(gloss('jsp ou est ma cmd')).toBe('know not where order');
  });
});

describe('the readings of a message', () => {
  it('reads the question sentence alone when a message says more around it', () => {
    expect(questionSentences('Morning! Small thing: do you sell insoles? Ta, Kim')).toEqual(['do you sell insoles?']);
    expect(questionSentences('do you sell insoles?')).toEqual([]);
    expect(passages('Morning! Small thing: do you sell insoles? Ta, Kim')).toContain('do you sell insoles?');
  });

  it('reads the message without the name signed at its end, and keeps one that is not a signature', () => {
    expect(withoutSignature('Do you sell insoles? Kind regards, Kim Lee')).toBe('Do you sell insoles? Kind regards');
    expect(withoutSignature('vous vendez des semelles ?\nAnne')).toBe('vous vendez des semelles ?');
    expect(withoutSignature('Can I pay by card, Visa?')).toBe('Can I pay by card, Visa?');
  });

  it('reads an English word of its own lexicon as English, not as a French word one letter away', () => {
    expect(gloss('hours?')).toBe('hours');
  });
});

describe('KnowledgeIndex by words and meaning (the ONNX model, fetched from Maven Central into the cache if missing)', () => {
  let embedder: SentenceEmbedder;
  let index: KnowledgeIndex;

  beforeAll(async () => {
    embedder = await SentenceEmbedder.load(modelFiles());
    index = await KnowledgeIndex.build(entries, embedder);
  }, 180_000);

  afterAll(async () => {
    await embedder.close();
  });

  it('embeds texts as unit vectors, closer for the same meaning', async () => {
    const [a, b, c] = await embedder.embed(['when do you open', 'what are your opening hours', 'I want a refund']);
    expect(a).toHaveLength(384);
    expect(cosine(a!, a!)).toBeCloseTo(1, 4);
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!));
  });

  it('matches a synonym the words alone do not share', async () => {
    const parcel = await index.answer('how many days until my parcel gets to my house?');
    const words = await KnowledgeIndex.lexical(entries).answer('how many days until my parcel gets to my house?');
    expect(parcel.best?.entry.id).toBe('delivery-en');
    expect(parcel.best?.similarity).toBeGreaterThan(0.3);
    expect(parcel.best?.confidence ?? 0).toBeGreaterThan(words.best?.confidence ?? 0);
  });

  it('keeps a margin between the best entry and the best one asking something else, not its translation', async () => {
    const answer = await index.answer('When are you open?');
    expect(answer.best?.entry.id).toBe('hours-en');
    expect(answer.best?.margin).toBeGreaterThan(0.1);
  });
});
