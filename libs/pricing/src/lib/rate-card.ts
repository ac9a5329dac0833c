import { PRICING_CATEGORIES, type PricingCategoryName } from '@wt/contracts';
import { marketOf } from './volume-tiers';

/** Money in millionths of a currency unit (an integer): sums of rates never drift as floats do. */
export type Micros = number;

export const MICROS_PER_UNIT = 1_000_000;

/** A decimal amount (e.g. `0.0625`) as micros, rounded to the nearest micro. */
export function toMicros(amount: number): Micros {
  return Math.round(amount * MICROS_PER_UNIT);
}

/** Micros as a decimal amount, e.g. for a report. */
export function fromMicros(micros: Micros): number {
  return micros / MICROS_PER_UNIT;
}

/**
 * A volume tier of a category in a market: from the `from`-th message of the calendar month
 * (1-based, counted per business portfolio, category and market, delivered messages only) the rate
 * is `rate`. Meta publishes them for utility and authentication only, and a tier's rate applies to
 * the messages inside that tier (reaching a tier does not reprice the month's earlier messages).
 */
export interface VolumeTier {
  from: number;
  rate: number;
}

/** The rates of one market (a country, or a region standing for several). */
export interface MarketRates {
  /** Rate per delivered message, by category; a missing category is free (0). */
  rates: Partial<Record<PricingCategoryName, number>>;
  /** Volume tiers by category; the first tier's `from` is 1 and its rate equals `rates[category]`. */
  tiers?: Partial<Record<PricingCategoryName, VolumeTier[]>>;
}

/**
 * One version of a rate card: Meta changes rates on fixed dates (quarterly), so a card is valid
 * from `effectiveFrom` until the next version's. Configurable: a file of the same shape replaces
 * the shipped versions (`RATE_CARD_FILE`).
 */
export interface RateCard {
  /** e.g. `meta-2026-01-01-usd`: recorded with every price made from it. */
  version: string;
  /** ISO date (UTC midnight) from which this card prices messages. */
  effectiveFrom: string;
  /** ISO 4217 code all the rates are in. */
  currency: string;
  /** Where the rates were read, and when. */
  source: { url: string; retrievedOn: string; note?: string };
  /** ISO 3166-1 alpha-2 country → market name (countries Meta groups into regions share a market). */
  countries: Record<string, string>;
  /** Market name → rates; `other` prices every country not listed. */
  markets: Record<string, MarketRates> & { other: MarketRates };
}

export interface PriceQuery {
  category: PricingCategoryName;
  /** ISO 3166-1 alpha-2 of the recipient's number; unknown → the `other` market. */
  country?: string;
  /**
   * How many messages of this category the business already had delivered in this market this
   * month (0 when unknown): picks the volume tier of the next one.
   */
  monthlyVolume?: number;
}

export interface Price {
  micros: Micros;
  currency: string;
  category: PricingCategoryName;
  market: string;
  rateCardVersion: string;
}

/** The card in force at `at`: the latest version whose `effectiveFrom` is not after it. */
export function rateCardAt(cards: readonly RateCard[], at: Date): RateCard {
  let best: RateCard | undefined;
  for (const card of cards) {
    if (Date.parse(card.effectiveFrom) <= at.getTime() && (!best || Date.parse(card.effectiveFrom) > Date.parse(best.effectiveFrom))) {
      best = card;
    }
  }
  if (!best) throw new Error(`no rate card in force at ${at.toISOString()}`);
  return best;
}

/** The price of one more delivered message of `query.category` to `query.country` under `card`. */
export function priceOf(card: RateCard, query: PriceQuery): Price {
  const marketName = marketOf(card, query.country);
  const market = card.markets[marketName] ?? card.markets.other;
  const tiers = market.tiers?.[query.category];
  let rate = market.rates[query.category] ?? 0;
  if (tiers && tiers.length > 0) {
    const nth = (query.monthlyVolume ?? 0) + 1;
    for (const tier of tiers) if (nth >= tier.from) rate = tier.rate;
  }
  return { micros: toMicros(rate), currency: card.currency, category: query.category, market: marketName, rateCardVersion: card.version };
}

/** Problems of a rate card read from configuration (empty when it is usable). */
export function rateCardProblems(card: unknown, index = 0): string[] {
  const at = `rate card [${index}]`;
  const problems: string[] = [];
  if (typeof card !== 'object' || card === null) return [`${at}: must be an object`];
  const c = card as Partial<RateCard>;
  if (typeof c.version !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,99}$/.test(c.version))
    problems.push(`${at}.version: lower-case letters, digits, . _ -`);
  if (typeof c.effectiveFrom !== 'string' || Number.isNaN(Date.parse(c.effectiveFrom))) problems.push(`${at}.effectiveFrom: an ISO date`);
  if (typeof c.currency !== 'string' || !/^[A-Z]{3}$/.test(c.currency)) problems.push(`${at}.currency: an ISO 4217 code`);
  if (typeof c.source?.url !== 'string' || typeof c.source?.retrievedOn !== 'string') problems.push(`${at}.source: url and retrievedOn`);
  if (typeof c.countries !== 'object' || c.countries === null) problems.push(`${at}.countries: an object`);
  if (typeof c.markets !== 'object' || c.markets === null || !c.markets.other)
    problems.push(`${at}.markets: an object with an 'other' market`);
  else {
    for (const [name, market] of Object.entries(c.markets)) {
      for (const [category, rate] of Object.entries(market?.rates ?? {})) {
        if (!(PRICING_CATEGORIES as readonly string[]).includes(category))
          problems.push(`${at}.markets.${name}.rates.${category}: unknown category`);
        if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0)
          problems.push(`${at}.markets.${name}.rates.${category}: a rate ≥ 0`);
      }
      for (const [category, tiers] of Object.entries(market?.tiers ?? {})) {
        const ok =
          Array.isArray(tiers) &&
          tiers.length > 0 &&
          tiers[0]?.from === 1 &&
          tiers.every((t, i) => Number.isInteger(t.from) && t.rate >= 0 && (i === 0 || t.from > (tiers[i - 1]?.from ?? 0)));
        if (!ok) problems.push(`${at}.markets.${name}.tiers.${category}: ascending tiers from 1, rates ≥ 0`);
      }
    }
    for (const [country, market] of Object.entries(c.countries ?? {})) {
      if (!/^[A-Z]{2}$/.test(country)) problems.push(`${at}.countries.${country}: an ISO 3166-1 alpha-2 code`);
      if (!c.markets[market]) problems.push(`${at}.countries.${country}: market ${market} has no rates`);
    }
  }
  return problems;
}

/** Validates rate cards read from configuration: throws with every problem named. */
export function parseRateCards(json: string): RateCard[] {
  const parsed: unknown = JSON.parse(json);
  const cards = Array.isArray(parsed) ? parsed : [parsed];
  const problems = cards.flatMap((card, i) => rateCardProblems(card, i));
  if (cards.length === 0) problems.push('no rate card');
  if (problems.length > 0) throw new Error(`invalid rate cards: ${problems.join('; ')}`);
  return cards as RateCard[];
}
