import { type PricingCategoryName } from '@wt/contracts';
import { type RateCard, type VolumeTier } from './rate-card';

/** The card's market of a recipient's country (ISO 3166-1 alpha-2); unknown → `other`. */
export function marketOf(card: RateCard, country: string | undefined): string {
  return (country && card.countries[country.toUpperCase()]) || 'other';
}

/** Whether the card prices `category` in `market` by volume tier (then the portfolio's monthly count matters). */
export function hasVolumeTiers(card: RateCard, market: string, category: PricingCategoryName): boolean {
  const tiers = (card.markets[market] ?? card.markets.other).tiers?.[category];
  return tiers !== undefined && tiers.length > 1;
}

/** The first day (UTC) of the calendar month of `at`, `YYYY-MM-DD`: Meta's tiers reset monthly. */
export function monthOf(at: Date): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)).toISOString().slice(0, 10);
}

/**
 * A version of `card` whose `market` prices `category` by these volume tiers (from a configuration
 * tool or a test; the first tier's rate becomes the list rate).
 */
export function withVolumeTiers(
  card: RateCard,
  version: string,
  market: string,
  category: PricingCategoryName,
  tiers: readonly VolumeTier[],
): RateCard {
  const rates = card.markets[market] ?? card.markets.other;
  return {
    ...card,
    version,
    markets: {
      ...card.markets,
      [market]: {
        rates: { ...rates.rates, [category]: tiers[0]?.rate ?? rates.rates[category] },
        tiers: { ...rates.tiers, [category]: [...tiers] },
      },
    },
  };
}
