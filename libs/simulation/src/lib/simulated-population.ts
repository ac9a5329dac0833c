import { type EngagementSource, type EngagementType } from '@wt/contracts';
import { between, hashUnit, pick, seededRandom, weighted } from './seeded-random';

/**
 * The interest categories of the simulated world by default: those of the demo businesses
 * (`tools/cli` demo) and a few unrelated ones.
 */
export const SIMULATION_CATEGORIES: readonly string[] = [
  'running-shoes',
  'fitness',
  'outdoor',
  'cooking',
  'italian-food',
  'wine',
  'skincare',
  'makeup',
  'fragrance',
  'travel',
  'gaming',
  'music',
  'books',
  'football',
];

/** How likely a person is to act on a message that matches their interests fully (each in 0..1). */
export interface Propensities {
  /** Reads a delivered message. */
  read: number;
  /** Replies to a message read (scaled by relevance). */
  reply: number;
  /** Clicks a message read (scaled by relevance). */
  click: number;
  /** Buys after a click (scaled by relevance). */
  purchase: number;
  /** Stops marketing from the business after reading an irrelevant message (scaled by irrelevance). */
  optOut: number;
}

/** What only the simulation knows about a person: never shown to the platform, except through behaviour. */
export interface HiddenPreferences {
  /** E.164 number the preferences belong to. */
  phone: string;
  /** Affinity per category of the catalogue, 0..1. */
  affinity: Readonly<Record<string, number>>;
  /** The 1 to 3 categories the person really cares about, strongest first. */
  favourites: readonly string[];
  propensity: Propensities;
  /** False: the number has no WhatsApp account (Meta: 131026, undeliverable). */
  onWhatsApp: boolean;
  /** Share of marketing messages Meta holds back under its per-user marketing limit (131049). */
  marketingLimitShare: number;
  /** Where the person engages on social media. */
  preferredSource: EngagementSource;
}

/** A marketing message as the simulated person sees it. */
export interface SimulatedMessage {
  businessId: string;
  /** The categories the message is about (a campaign's target categories, a template's topic). */
  categories: readonly string[];
}

/** Unconditional probabilities of what a person does with one message (what an oracle knows). */
export interface ResponseProbabilities {
  delivered: number;
  read: number;
  reply: number;
  click: number;
  purchase: number;
  optOut: number;
}

/** Why a message cannot be delivered, with Meta's error code. */
export type DeliveryFailure =
  | { reason: 'not_on_whatsapp'; errorCode: 131026 }
  | { reason: 'stopped_marketing'; errorCode: 131050 }
  | { reason: 'marketing_limit'; errorCode: 131049 };

/** What one person did with one message. Flags imply their predecessors (a click implies a read). */
export interface MessageReaction {
  delivered: boolean;
  failure?: DeliveryFailure;
  read: boolean;
  replied: boolean;
  clicked: boolean;
  purchased: boolean;
  optedOut: boolean;
}

/** One simulated social-media engagement (a person's observable trace of their interests). */
export interface SimulatedEngagement {
  category: string;
  type: EngagementType;
  source: EngagementSource;
}

export interface PopulationOptions {
  /** Changes every person's hidden preferences; the same seed reproduces the same population. */
  seed?: string;
  categories?: readonly string[];
  /** Share of numbers without WhatsApp (default 0.03). */
  notOnWhatsAppRate?: number;
  /** Share of (person, business) pairs where the person stopped marketing (default 0.03). */
  stoppedMarketingRate?: number;
  /** Share of people subject to Meta's per-user marketing limit (default 0.1). */
  marketingLimitedRate?: number;
  /** Share of engagements that follow no interest at all (noise, default 0.25). */
  engagementNoise?: number;
}

/** Relative frequency of engagement types: views are common, purchases rare. */
export const ENGAGEMENT_TYPE_WEIGHTS: readonly (readonly [EngagementType, number])[] = [
  ['view', 40],
  ['like', 22],
  ['comment', 8],
  ['share', 5],
  ['follow', 4],
  ['click', 12],
  ['save', 6],
  ['purchase', 3],
];

const MOBILE_PREFIXES: readonly (readonly [string, number])[] = [
  ['+3361', 7],
  ['+3375', 7],
  ['+49151', 8],
  ['+49170', 8],
  ['+346', 8],
  ['+39347', 7],
  ['+447400', 6],
];

/**
 * A deterministic simulated population. Each E.164 number has hidden true preferences derived
 * from a hash of the number and the seed, so the WhatsApp sandbox (which makes recipients read,
 * reply, click and buy) and the targeting evaluation (which generates engagement and asks an
 * oracle) agree on every person without sharing any state.
 */
export class SimulatedPopulation {
  readonly seed: string;
  readonly categories: readonly string[];
  private readonly notOnWhatsAppRate: number;
  private readonly stoppedMarketingRate: number;
  private readonly marketingLimitedRate: number;
  private readonly engagementNoise: number;

  constructor(options: PopulationOptions = {}) {
    this.seed = options.seed ?? 'wt-simulation-v1';
    this.categories = options.categories ?? SIMULATION_CATEGORIES;
    if (this.categories.length === 0) throw new Error('SimulatedPopulation needs at least one category');
    this.notOnWhatsAppRate = rate('notOnWhatsAppRate', options.notOnWhatsAppRate ?? 0.03);
    this.stoppedMarketingRate = rate('stoppedMarketingRate', options.stoppedMarketingRate ?? 0.03);
    this.marketingLimitedRate = rate('marketingLimitedRate', options.marketingLimitedRate ?? 0.1);
    this.engagementNoise = rate('engagementNoise', options.engagementNoise ?? 0.25);
  }

  /** The hidden truth about a number. Pure: the same number always gives the same preferences. */
  preferences(phone: string): HiddenPreferences {
    const random = seededRandom(this.seed, 'person', phone);
    const favouriteCount = 1 + Math.floor(random() * 3);
    const pool = [...this.categories];
    const favourites: string[] = [];
    while (favourites.length < Math.min(favouriteCount, pool.length)) {
      favourites.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as string);
    }
    const affinity: Record<string, number> = {};
    // Draw in catalogue order so one category's value never depends on another's position.
    for (const category of this.categories) affinity[category] = between(random, 0, 0.12);
    favourites.forEach((category, rank) => {
      affinity[category] = between(random, 0.85 - 0.15 * rank, 1 - 0.15 * rank);
    });
    return {
      phone,
      affinity,
      favourites,
      propensity: {
        read: between(random, 0.5, 0.95),
        reply: between(random, 0.05, 0.3),
        click: between(random, 0.2, 0.6),
        purchase: between(random, 0.2, 0.7),
        optOut: between(random, 0.05, 0.35),
      },
      onWhatsApp: random() >= this.notOnWhatsAppRate,
      marketingLimitShare: random() < this.marketingLimitedRate ? 0.5 : 0,
      preferredSource: random() < 0.5 ? 'facebook' : 'instagram',
    };
  }

  /** Whether the person has stopped marketing messages from this business (Meta: 131050). */
  stoppedMarketing(phone: string, businessId: string): boolean {
    return hashUnit(this.seed, 'stopped', phone, businessId) < this.stoppedMarketingRate;
  }

  /** How well a message matches the person: the strongest affinity among its categories (0 if none is known). */
  relevance(phone: string, categories: readonly string[]): number {
    return relevanceOf(this.preferences(phone), categories);
  }

  /** The oracle: the true probabilities of each response to this message, before it is sent. */
  probabilities(phone: string, message: SimulatedMessage): ResponseProbabilities {
    const person = this.preferences(phone);
    const r = relevanceOf(person, message.categories);
    const p = person.propensity;
    const delivered = person.onWhatsApp && !this.stoppedMarketing(phone, message.businessId) ? 1 - person.marketingLimitShare : 0;
    const read = delivered * readGivenDelivered(p, r);
    const optOut = read * optOutGivenRead(p, r);
    const stays = read - optOut;
    const click = stays * p.click * r;
    return {
      delivered,
      read,
      reply: stays * replyGivenRead(p, r),
      click,
      purchase: click * p.purchase * r,
      optOut,
    };
  }

  /**
   * What the person does with one message. `messageKey` identifies the message (a wamid, or a
   * decision id and attempt): the same key gives the same reaction, another key a fresh draw.
   */
  react(phone: string, message: SimulatedMessage & { messageKey: string }): MessageReaction {
    const person = this.preferences(phone);
    const none = { read: false, replied: false, clicked: false, purchased: false, optedOut: false };
    if (!person.onWhatsApp) return { delivered: false, failure: { reason: 'not_on_whatsapp', errorCode: 131026 }, ...none };
    if (this.stoppedMarketing(phone, message.businessId))
      return { delivered: false, failure: { reason: 'stopped_marketing', errorCode: 131050 }, ...none };
    const draw = (step: string) => hashUnit(this.seed, 'react', phone, message.messageKey, step);
    if (draw('limit') < person.marketingLimitShare)
      return { delivered: false, failure: { reason: 'marketing_limit', errorCode: 131049 }, ...none };
    const r = relevanceOf(person, message.categories);
    const p = person.propensity;
    const read = draw('read') < readGivenDelivered(p, r);
    const optedOut = read && draw('opt-out') < optOutGivenRead(p, r);
    const replied = read && !optedOut && draw('reply') < replyGivenRead(p, r);
    const clicked = read && !optedOut && draw('click') < p.click * r;
    const purchased = clicked && draw('purchase') < p.purchase * r;
    return { delivered: true, read, replied, clicked, purchased, optedOut };
  }

  /**
   * Social-media engagement a person produces in one round: mostly in their favourite
   * categories (weighted by affinity), some noise in others. Deterministic per (phone, round).
   */
  engagements(phone: string, options: { count: number; round?: number }): SimulatedEngagement[] {
    const person = this.preferences(phone);
    const random = seededRandom(this.seed, 'engagements', phone, options.round ?? 0);
    const weights = this.categories.map((category) => [category, (person.affinity[category] ?? 0) ** 2] as const);
    return Array.from({ length: options.count }, () => {
      const noise = random() < this.engagementNoise;
      const category = noise ? pick(random, this.categories) : weighted(random, weights);
      const type = weighted(random, ENGAGEMENT_TYPE_WEIGHTS);
      const source: EngagementSource =
        random() < 0.8 ? person.preferredSource : person.preferredSource === 'facebook' ? 'instagram' : 'facebook';
      return { category, type, source };
    });
  }

  /** `count` distinct valid mobile numbers (E.164) of FR, DE, ES, IT and GB, reproducible from `key`. */
  phoneNumbers(count: number, key = 'default'): string[] {
    const random = seededRandom(this.seed, 'phones', key);
    const numbers = new Set<string>();
    while (numbers.size < count) {
      const [prefix, digits] = pick(random, MOBILE_PREFIXES);
      let number = prefix;
      for (let i = 0; i < digits; i += 1) number += Math.floor(random() * 10);
      numbers.add(number);
    }
    return [...numbers];
  }
}

function rate(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new Error(`${name} must be between 0 and 1, got ${value}`);
  return value;
}

function relevanceOf(person: HiddenPreferences, categories: readonly string[]): number {
  return categories.reduce((best, category) => Math.max(best, person.affinity[category] ?? 0), 0);
}

function readGivenDelivered(p: Propensities, r: number): number {
  return p.read * (0.6 + 0.4 * r);
}

function optOutGivenRead(p: Propensities, r: number): number {
  return p.optOut * (1 - r) * (1 - r);
}

function replyGivenRead(p: Propensities, r: number): number {
  return p.reply * (0.3 + 0.7 * r);
}
