import { readFileSync } from 'node:fs';
import { DEFAULT_RATE_CARDS } from './default-rate-cards';
import { type Price, type PriceQuery, priceOf, parseRateCards, type RateCard, rateCardAt } from './rate-card';

/**
 * The rate cards a service prices with: the shipped ones, or those of `RATE_CARD_FILE` (a JSON
 * list of versions, each valid from its `effectiveFrom`), checked at boot.
 */
export class RateBook {
  constructor(readonly cards: readonly RateCard[] = DEFAULT_RATE_CARDS) {
    if (cards.length === 0) throw new Error('a rate book needs at least one rate card');
  }

  /** The shipped cards, or the file's when a path is given (a bad file stops the service, naming each problem). */
  static load(path?: string): RateBook {
    return new RateBook(path ? parseRateCards(readFileSync(path, 'utf8')) : DEFAULT_RATE_CARDS);
  }

  cardAt(at: Date): RateCard {
    return rateCardAt(this.cards, at);
  }

  /** The price at `at` of one delivered message. */
  price(at: Date, query: PriceQuery): Price {
    return priceOf(this.cardAt(at), query);
  }

  /** `priceOf`, as a static of the book (for callers holding a card already). */
  static priceWith(card: RateCard, query: PriceQuery): Price {
    return priceOf(card, query);
  }

  /** Currencies the cards are in (a money budget must be in one of them). */
  currencies(): string[] {
    return [...new Set(this.cards.map((c) => c.currency))];
  }
}
