import { DEFAULT_RATE_CARDS, META_RATE_CARD_2025_07_01_USD } from './default-rate-cards';
import { RateBook } from './rate-book';
import { parseRateCards, priceOf, type RateCard, rateCardAt, rateCardProblems, toMicros } from './rate-card';
import { hasVolumeTiers, marketOf, monthOf } from './volume-tiers';

const tiered: RateCard = {
  version: 'test-2026-01-01',
  effectiveFrom: '2026-01-01T00:00:00Z',
  currency: 'EUR',
  source: { url: 'https://example.test/rates', retrievedOn: '2026-12-07' },
  countries: { IN: 'india' },
  markets: {
    india: {
      rates: { marketing: 0.01, utility: 0.002 },
      tiers: {
        utility: [
          { from: 1, rate: 0.002 },
          { from: 1001, rate: 0.0015 },
          { from: 10001, rate: 0.001 },
        ],
      },
    },
    other: { rates: { marketing: 0.05 } },
  },
};

describe('rate cards', () => {
  it('prices a marketing template by the recipient country, in micros', () => {
    const card = META_RATE_CARD_2025_07_01_USD;
    expect(priceOf(card, { category: 'marketing', country: 'DE' })).toEqual({
      micros: 136_500,
      currency: 'USD',
      category: 'marketing',
      market: 'germany',
      rateCardVersion: 'meta-2025-07-01-usd',
    });
    expect(priceOf(card, { category: 'marketing', country: 'at' }).market).toBe('rest_of_western_europe');
    expect(priceOf(card, { category: 'utility', country: 'BR' }).micros).toBe(6_800);
  });

  it('prices an unknown or missing country at the other market, and free-form service at 0', () => {
    const card = META_RATE_CARD_2025_07_01_USD;
    expect(priceOf(card, { category: 'marketing', country: 'AQ' })).toMatchObject({ market: 'other', micros: 60_400 });
    expect(priceOf(card, { category: 'marketing' })).toMatchObject({ market: 'other' });
    expect(priceOf(card, { category: 'service', country: 'FR' }).micros).toBe(0);
  });

  it('applies volume tiers by the messages already delivered this month', () => {
    expect(priceOf(tiered, { category: 'utility', country: 'IN', monthlyVolume: 0 }).micros).toBe(2_000);
    expect(priceOf(tiered, { category: 'utility', country: 'IN', monthlyVolume: 999 }).micros).toBe(2_000);
    expect(priceOf(tiered, { category: 'utility', country: 'IN', monthlyVolume: 1000 }).micros).toBe(1_500);
    expect(priceOf(tiered, { category: 'utility', country: 'IN', monthlyVolume: 50_000 }).micros).toBe(1_000);
    // Marketing has no tiers: the volume changes nothing; a category without a rate is free.
    expect(priceOf(tiered, { category: 'marketing', country: 'IN', monthlyVolume: 50_000 }).micros).toBe(10_000);
    expect(priceOf(tiered, { category: 'authentication', country: 'IN' }).micros).toBe(0);
  });

  it('tells which market and category are priced by volume tier, and the calendar month a delivery counts in (UTC)', () => {
    expect(marketOf(tiered, 'in')).toBe('india');
    expect(marketOf(tiered, 'FR')).toBe('other');
    expect(marketOf(tiered, undefined)).toBe('other');
    expect(hasVolumeTiers(tiered, 'india', 'utility')).toBe(true);
    expect(hasVolumeTiers(tiered, 'india', 'marketing')).toBe(false);
    expect(hasVolumeTiers(tiered, 'other', 'utility')).toBe(false);
    // The shipped card has no tiers (Meta's bounds are not in the pages we could read).
    expect(
      Object.keys(META_RATE_CARD_2025_07_01_USD.markets).some((m) => hasVolumeTiers(META_RATE_CARD_2025_07_01_USD, m, 'utility')),
    ).toBe(false);
    expect(monthOf(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12-01');
    expect(monthOf(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01-01');
  });

  it('picks the version in force at a date', () => {
    const cards = [...DEFAULT_RATE_CARDS, tiered];
    expect(rateCardAt(cards, new Date('2025-12-31T23:59:59Z')).version).toBe('meta-2025-07-01-usd');
    expect(rateCardAt(cards, new Date('2026-01-01T00:00:00Z')).version).toBe('test-2026-01-01');
    expect(() => rateCardAt(cards, new Date('2025-01-01T00:00:00Z'))).toThrow('no rate card in force at 2025-01-01');
    expect(new RateBook(cards).price(new Date('2026-06-01'), { category: 'marketing', country: 'IN' }).currency).toBe('EUR');
  });

  it('ships a card that passes its own checks, with its source and date', () => {
    for (const [i, card] of DEFAULT_RATE_CARDS.entries()) expect(rateCardProblems(card, i)).toEqual([]);
    expect(META_RATE_CARD_2025_07_01_USD.source.retrievedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses a configured card naming each problem', () => {
    const bad = JSON.stringify([
      { ...tiered, currency: 'euro', markets: { india: { rates: { marketing: -1, promo: 1 } } }, countries: { IND: 'india' } },
    ]);
    expect(() => parseRateCards(bad)).toThrow(/currency.*markets: an object with an 'other' market/s);
    expect(() =>
      parseRateCards(
        JSON.stringify([{ ...tiered, markets: { ...tiered.markets, india: { rates: {}, tiers: { utility: [{ from: 5, rate: 1 }] } } } }]),
      ),
    ).toThrow('tiers.utility: ascending tiers from 1');
    expect(parseRateCards(JSON.stringify(tiered))).toHaveLength(1);
  });

  it('rounds decimal rates to whole micros', () => {
    expect(toMicros(0.0592)).toBe(59_200);
    expect(toMicros(0.1 + 0.2)).toBe(300_000);
  });
});
