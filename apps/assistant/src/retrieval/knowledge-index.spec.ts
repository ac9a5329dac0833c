import { type KnowledgeEntry, KnowledgeIndex, guessLanguage } from './knowledge-index';
import { analyze } from './text-analysis';

const entries: KnowledgeEntry[] = [
  {
    id: 'hours-en',
    language: 'en',
    question: 'What are your opening hours?',
    variants: ['When are you open?'],
    answer: 'We are open Monday to Saturday, 9am to 7pm.',
  },
  {
    id: 'hours-fr',
    language: 'fr',
    question: "Quels sont vos horaires d'ouverture ?",
    variants: ['Quand êtes-vous ouverts ?'],
    answer: 'Nous sommes ouverts du lundi au samedi, de 9h à 19h.',
  },
  {
    id: 'delivery-en',
    language: 'en',
    question: 'Do you deliver to my home?',
    variants: ['How long does delivery take?'],
    answer: 'Home delivery takes 2 to 3 working days.',
  },
  {
    id: 'delivery-fr',
    language: 'fr',
    question: 'Livrez-vous à domicile ?',
    variants: ['Combien de temps prend la livraison ?'],
    answer: 'La livraison à domicile prend 2 à 3 jours ouvrés.',
  },
  {
    id: 'refund-fr',
    language: 'fr',
    question: 'Comment obtenir un remboursement ?',
    variants: [],
    answer: 'Rapportez l’article sous 30 jours avec le ticket.',
  },
];

describe('text analysis', () => {
  it('folds case and accents, drops stop words and reduces plurals to one stem', () => {
    expect(analyze('LIVRAISONS à Domicile', 'fr')).toEqual(analyze('livraison a domicile', 'fr'));
    expect(analyze('Deliveries', 'en')).toEqual(analyze('delivery', 'en'));
    expect(analyze('Quels sont vos horaires ?', 'fr')).toEqual(['horair']);
  });
});

describe('KnowledgeIndex', () => {
  const index = new KnowledgeIndex(entries);

  it('answers a question asked as taught, in its language, with full confidence', () => {
    const answer = index.answer('Quels sont vos horaires d’ouverture ?');
    expect(answer.best?.entry.id).toBe('hours-fr');
    expect(answer.language).toBe('fr');
    expect(answer.best?.confidence).toBeCloseTo(1);
  });

  it('answers a rephrased question with other inflections and no accents', () => {
    expect(index.answer('vous livrez a domicile?').best?.entry.id).toBe('delivery-fr');
    expect(index.answer('how long for deliveries').best?.entry.id).toBe('delivery-en');
  });

  it('gives low confidence to a question about something the business never taught', () => {
    const answer = index.answer('Do you sell bicycles?');
    expect(answer.best?.confidence ?? 0).toBeLessThan(0.5);
    expect(answer.language).toBe('en');
  });

  it('tolerates a typo in a long word', () => {
    expect(index.answer('vos horraires ?').best?.entry.id).toBe('hours-fr');
  });

  it('guesses the language of a message without a match from its stop words', () => {
    expect(guessLanguage('je voudrais le prix du vélo')).toBe('fr');
    expect(guessLanguage('I would like the price of the bike')).toBe('en');
    expect(guessLanguage('vélo', 'fr')).toBe('fr');
  });
});
