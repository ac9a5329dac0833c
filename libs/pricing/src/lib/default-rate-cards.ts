import { type MarketRates, type RateCard } from './rate-card';

const m = (marketing: number, utility: number, authentication = utility): MarketRates => ({
  // Non-template (service) messages are free, inside the customer-service window only.
  rates: { marketing, utility, authentication, service: 0 },
});

/** Countries of one market. */
const all = (market: string, countries: string) => Object.fromEntries(countries.split(' ').map((c) => [c, market]));

/**
 * The rate card shipped with the platform: Meta's per-message rates in USD effective 2025-07-01
 * (the start of per-message pricing), per delivered template message, by the recipient's market.
 *
 * - Source: Meta's pricing page (the rates CSV it links), as republished market by market in
 *   sent.dm's table (retrieved 2026-12-07); every region below was checked there against at least
 *   one of its countries (e.g. Afghanistan and Australia: rest of Asia Pacific, Andorra: rest of
 *   Western Europe, Algeria: rest of Africa, American Samoa: other).
 * - Volume tiers: since 2025-07-01 Meta prices utility and authentication templates with volume
 *   tiers per market and calendar month ("Introduce volume tiers for utility and authentication",
 *   https://developers.facebook.com/docs/whatsapp/pricing/updates-to-pricing; "You can unlock lower
 *   rates for utility and authentication template messages, based on messaging volume",
 *   https://developers.facebook.com/docs/whatsapp/pricing), and since 2025-10-01 tells a WABA of a
 *   tier change with the `account_update` event VOLUME_BASED_PRICING_TIER_UPDATE (tier as a volume
 *   range, e.g. "25000001:50000000" for India utility, as relayed by
 *   https://partner-docs.gupshup.io/docs/tier-based-pricing). Neither page states the tier bounds
 *   and rates of each market (they are in Meta's rate CSV, not retrievable here), so this card has
 *   no tiers and prices every message at the list rate (an upper bound); a configured card sets
 *   them per market and category (`tiers`, checked by `rateCardProblems`; `withVolumeTiers`). With
 *   tiers, the dispatcher bills each delivered message at the tier of its rank in its portfolio's
 *   delivered volume this month and scoring estimates at the tier that volume reached (Meta's help
 *   center: "Rates are tier-specific…", "Tiers reset monthly"; see the sandbox's README).
 * - Service (free-form) messages: free, as Meta's page says. Several providers report service
 *   messages becoming chargeable from 2026-10-01; not confirmed on Meta's page, so not priced
 *   here (a configured card sets `service`).
 * - Later changes (e.g. 2026-01-01: lower utility rates for North America) are not in it: replace
 *   or extend it with `RATE_CARD_FILE` (same shape, a list of versions).
 */
export const META_RATE_CARD_2025_07_01_USD: RateCard = {
  version: 'meta-2025-07-01-usd',
  effectiveFrom: '2025-07-01T00:00:00Z',
  currency: 'USD',
  source: {
    url: 'https://developers.facebook.com/docs/whatsapp/pricing',
    retrievedOn: '2026-12-07',
    note: 'market rates as tabulated at https://docs.sent.dm/docs/guides/whatsapp-pricing',
  },
  countries: {
    BR: 'brazil',
    CL: 'chile',
    CO: 'colombia',
    EG: 'egypt',
    FR: 'france',
    DE: 'germany',
    IN: 'india',
    ID: 'indonesia',
    IL: 'israel',
    IT: 'italy',
    MY: 'malaysia',
    MX: 'mexico',
    NL: 'netherlands',
    NG: 'nigeria',
    PK: 'pakistan',
    PE: 'peru',
    RU: 'russia',
    SA: 'saudi_arabia',
    ZA: 'south_africa',
    ES: 'spain',
    TR: 'turkey',
    AE: 'united_arab_emirates',
    GB: 'united_kingdom',
    ...all('north_america', 'US CA'),
    ...all('rest_of_western_europe', 'AD AT BE CH DK FI GR IE IS LI LU MC NO PT SE SM'),
    ...all('rest_of_central_eastern_europe', 'AL AM AZ BA BG BY CZ EE GE HR HU LT LV MD ME MK PL RO RS SI SK UA'),
    ...all('rest_of_asia_pacific', 'AF AU BD HK JP KH KR LA LK MM MN NP NZ PG PH SG TH TW VN'),
    ...all('rest_of_latin_america', 'AI AG AW BO BS BZ CR DO EC GT HN JM NI PA PY SV TT UY VE'),
    ...all('rest_of_africa', 'AO BF BJ BW CI CM DZ ET GH KE MA MG ML MZ NA NE RW SD SN TN TZ UG ZM'),
    ...all('rest_of_middle_east', 'BH IQ JO KW LB OM QA YE'),
  },
  markets: {
    brazil: m(0.0625, 0.0068),
    chile: m(0.0889, 0.02),
    colombia: m(0.0125, 0.0008),
    egypt: m(0.1073, 0.0036),
    france: m(0.0859, 0.03),
    germany: m(0.1365, 0.055),
    india: m(0.0107, 0.0014),
    indonesia: m(0.0411, 0.025),
    israel: m(0.0353, 0.0053),
    italy: m(0.0691, 0.03),
    malaysia: m(0.086, 0.014),
    mexico: m(0.0305, 0.0085),
    netherlands: m(0.1597, 0.05),
    nigeria: m(0.0516, 0.0067),
    pakistan: m(0.0473, 0.0054),
    peru: m(0.0703, 0.02),
    russia: m(0.0802, 0.04),
    saudi_arabia: m(0.0455, 0.0107),
    south_africa: m(0.0379, 0.0076),
    spain: m(0.0615, 0.02),
    turkey: m(0.0109, 0.0053),
    united_arab_emirates: m(0.0384, 0.0157),
    united_kingdom: m(0.0529, 0.022),
    north_america: m(0.025, 0.004),
    rest_of_western_europe: m(0.0592, 0.0171),
    rest_of_central_eastern_europe: m(0.086, 0.0212),
    rest_of_asia_pacific: m(0.0732, 0.0113),
    rest_of_latin_america: m(0.074, 0.0113),
    rest_of_africa: m(0.0225, 0.004),
    rest_of_middle_east: m(0.0341, 0.0091),
    other: m(0.0604, 0.0077),
  },
};

/** Every shipped version, oldest first. */
export const DEFAULT_RATE_CARDS: readonly RateCard[] = [META_RATE_CARD_2025_07_01_USD];
