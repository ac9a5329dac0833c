import { type CampaignV1, type ConsentEventV1, type EngagementEventV1, type EngagementSource } from '@wt/contracts';
import { ENGAGEMENT_TYPE_WEIGHTS, mulberry32, pick, weighted } from '@wt/simulation';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Small deterministic PRNG (mulberry32): the same seed gives the same population. */
export const rng = mulberry32;

export interface Business {
  businessId: string;
  name: string;
  phoneNumberId: string;
  categories: string[];
}

export const BUSINESSES: Business[] = [
  { businessId: 'acme-sports', name: 'Acme Sports', phoneNumberId: '100000000000001', categories: ['running-shoes', 'fitness', 'outdoor'] },
  { businessId: 'bella-cucina', name: 'Bella Cucina', phoneNumberId: '100000000000002', categories: ['cooking', 'italian-food', 'wine'] },
  { businessId: 'nova-beauty', name: 'Nova Beauty', phoneNumberId: '100000000000003', categories: ['skincare', 'makeup', 'fragrance'] },
];
const OTHER_CATEGORIES = ['travel', 'gaming', 'music', 'books', 'football'];
const ALL_CATEGORIES = [...BUSINESSES.flatMap((b) => b.categories), ...OTHER_CATEGORIES];

interface Person {
  e164: string;
  country: string;
  written: { phone: string; country?: string };
  interests: string[];
  optIns: string[];
  crossApp: boolean;
}

/** A valid mobile number of FR, DE, GB, ES or IT, written the way producers write them. */
function phoneFor(random: () => number): { e164: string; country: string; written: Person['written'] } {
  for (;;) {
    const [country, prefix, digits] = pick(random, [
      ['FR', '+336', 8],
      ['FR', '+337', 8],
      ['DE', '+49151', 8],
      ['GB', '+447400', 6],
      ['ES', '+346', 8],
      ['IT', '+39347', 7],
    ] as const);
    let candidate = prefix;
    for (let i = 0; i < digits; i += 1) candidate += Math.floor(random() * 10);
    const parsed = parsePhoneNumberFromString(candidate);
    if (!parsed?.isValid()) continue;
    const style = random();
    // E.164, international with spaces, or national with a country hint.
    const written =
      style < 0.5
        ? { phone: parsed.number }
        : style < 0.75
          ? { phone: parsed.formatInternational() }
          : { phone: parsed.formatNational(), country };
    return { e164: parsed.number, country, written };
  }
}

export interface Population {
  campaigns: CampaignV1[];
  consents: ConsentEventV1[];
  events: EngagementEventV1[];
  invalidEvents: unknown[];
  people: number;
}

export function generatePopulation(options: { people: number; seed: number; runId: string; now: Date }): Population {
  const random = rng(options.seed);
  const now = options.now.getTime();
  const seen = new Set<string>();
  const people: Person[] = [];
  while (people.length < options.people) {
    const phone = phoneFor(random);
    if (seen.has(phone.e164)) continue;
    seen.add(phone.e164);
    const home = pick(random, BUSINESSES);
    const interests = [pick(random, home.categories), pick(random, ALL_CATEGORIES)];
    const optIns = BUSINESSES.filter((b) => (b === home ? random() < 0.7 : random() < 0.15)).map((b) => b.businessId);
    people.push({
      e164: phone.e164,
      country: phone.country,
      written: phone.written,
      interests,
      optIns,
      crossApp: random() < 0.5,
    });
  }

  const hour = 3_600_000;
  const consents: ConsentEventV1[] = people.flatMap((p) => [
    ...p.optIns.map((businessId) => ({
      phone: p.written.phone,
      country: p.written.country,
      purpose: 'whatsapp_marketing' as const,
      businessId,
      status: 'granted' as const,
      occurredAt: new Date(now - (30 + random() * 300) * hour).toISOString(),
      source: 'web-form',
    })),
    ...(p.crossApp
      ? [
          {
            phone: p.written.phone,
            country: p.written.country,
            purpose: 'cross_app_profiling' as const,
            status: 'granted' as const,
            occurredAt: new Date(now - 40 * hour).toISOString(),
            source: 'web-form',
          },
        ]
      : []),
  ]);

  const events: EngagementEventV1[] = [];
  people.forEach((p, i) => {
    const count = 3 + Math.floor(random() * 10);
    for (let k = 0; k < count; k += 1) {
      const focused = random() < 0.8;
      const category = focused ? pick(random, p.interests) : pick(random, ALL_CATEGORIES);
      const business = BUSINESSES.find((b) => b.categories.includes(category));
      const type = weighted(random, ENGAGEMENT_TYPE_WEIGHTS);
      events.push({
        eventId: `${options.runId}-${i}-${k}`,
        source: pick(random, ['facebook', 'instagram'] as EngagementSource[]),
        type,
        phone: p.written.phone,
        ...(p.written.country ? { country: p.written.country } : {}),
        occurredAt: new Date(now - random() * 72 * hour).toISOString(),
        categories: [category],
        ...(business && random() < 0.5 ? { businessId: business.businessId } : {}),
        ...(type === 'purchase' ? { value: Math.round(random() * 9000) / 100, currency: 'EUR' } : {}),
      });
    }
  });
  // Duplicates (a producer retrying) and bad input, as real producers send them.
  for (let d = 0; d < Math.ceil(events.length * 0.02); d += 1) events.push({ ...pick(random, events) });
  const invalidEvents: unknown[] = [
    { ...events[0], eventId: `${options.runId}-bad-phone`, phone: '+33 1', country: undefined },
    { ...events[1], eventId: `${options.runId}-bad-type`, type: 'poke' },
    { ...events[2], eventId: `${options.runId}-future`, occurredAt: new Date(now + 48 * hour).toISOString() },
    { eventId: `${options.runId}-missing-fields` },
  ];

  const campaigns: CampaignV1[] = BUSINESSES.map((b, i) => ({
    campaignId: `${b.businessId}-${options.runId}`,
    businessId: b.businessId,
    name: `${b.name} autumn offer`,
    status: 'active',
    phoneNumberId: b.phoneNumberId,
    template: {
      name: 'autumn_offer',
      language: 'en_US',
      bodyParameters: [
        { from: 'profile', value: 'topInterest' },
        { from: 'campaign', value: 'name' },
      ],
    },
    targetCategories: b.categories,
    // The learned model scores the probability that the message leads to a purchase: a few percent
    // at best in the simulated population (purchases are rare); this business asks for 2 %.
    minRelevance: 0.02,
    // The third campaign has a small budget, so budget suppression shows in the funnel.
    budgetMessages: i === 2 ? 40 : 5000,
    startsAt: new Date(now - hour).toISOString(),
    endsAt: new Date(now + 7 * 24 * hour).toISOString(),
    updatedAt: new Date(now).toISOString(),
  }));

  return { campaigns, consents, events, invalidEvents, people: people.length };
}
