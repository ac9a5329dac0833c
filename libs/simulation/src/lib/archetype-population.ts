import { type EngagementSource, type EngagementType } from '@wt/contracts';
import { between, hashUnit, pick, seededRandom, weighted } from './seeded-random';
import {
  type MessageReaction,
  type ResponseProbabilities,
  SIMULATION_CATEGORIES,
  type SimulatedEngagement,
  type SimulatedMessage,
  SimulatedPopulation,
} from './simulated-population';

/**
 * Kinds of people whose engagement volume does not predict buying (issue 16):
 * - `social`: likes, comments and shares every day, replies to messages, rarely buys;
 * - `quiet_buyer`: engages little, mostly clicks and purchases, buys what matches;
 * - `lurker`: mostly views, reads little, opts out more;
 * - `burst`: usually quiet, with a few days of strong intent for one category that fades;
 * - `casual`: a bit of everything.
 */
export const ARCHETYPES = ['social', 'quiet_buyer', 'lurker', 'burst', 'casual'] as const;
export type Archetype = (typeof ARCHETYPES)[number];

interface ArchetypeShape {
  share: number;
  /** Engagements per round (a day), drawn in this range. */
  volume: readonly [number, number];
  /** Engagement types and their weights. */
  types: readonly (readonly [EngagementType, number])[];
  read: readonly [number, number];
  reply: readonly [number, number];
  click: readonly [number, number];
  purchase: readonly [number, number];
  optOut: readonly [number, number];
}

const SHAPES: Readonly<Record<Archetype, ArchetypeShape>> = {
  social: {
    share: 0.3,
    volume: [8, 14],
    types: [
      ['like', 40],
      ['comment', 25],
      ['share', 20],
      ['view', 12],
      ['click', 3],
    ],
    read: [0.85, 0.98],
    reply: [0.3, 0.6],
    click: [0.05, 0.15],
    purchase: [0.02, 0.08],
    optOut: [0.02, 0.08],
  },
  quiet_buyer: {
    share: 0.15,
    volume: [0.5, 2],
    types: [
      ['view', 30],
      ['click', 35],
      ['save', 10],
      ['purchase', 25],
    ],
    read: [0.6, 0.85],
    reply: [0.01, 0.05],
    click: [0.4, 0.7],
    purchase: [0.5, 0.85],
    optOut: [0.03, 0.1],
  },
  lurker: {
    share: 0.25,
    volume: [2, 5],
    types: [
      ['view', 80],
      ['save', 10],
      ['like', 8],
      ['click', 2],
    ],
    read: [0.3, 0.6],
    reply: [0, 0.03],
    click: [0.05, 0.2],
    purchase: [0.05, 0.2],
    optOut: [0.25, 0.5],
  },
  burst: {
    share: 0.15,
    volume: [0.5, 2],
    types: [
      ['view', 40],
      ['click', 30],
      ['like', 15],
      ['purchase', 5],
      ['save', 10],
    ],
    read: [0.6, 0.9],
    reply: [0.02, 0.1],
    click: [0.3, 0.6],
    purchase: [0.3, 0.6],
    optOut: [0.05, 0.15],
  },
  casual: {
    share: 0.15,
    volume: [2, 4],
    types: [
      ['view', 40],
      ['like', 22],
      ['comment', 8],
      ['share', 5],
      ['click', 12],
      ['save', 8],
      ['purchase', 5],
    ],
    read: [0.5, 0.9],
    reply: [0.05, 0.2],
    click: [0.15, 0.4],
    purchase: [0.15, 0.4],
    optOut: [0.08, 0.25],
  },
};

/** What only the simulation knows about a person of the archetype population. */
export interface ArchetypePerson {
  phone: string;
  archetype: Archetype;
  /** The one main interest, then one or two minor ones. */
  main: string;
  minor: readonly string[];
  affinity: Readonly<Record<string, number>>;
  volume: number;
  read: number;
  reply: number;
  click: number;
  purchase: number;
  optOut: number;
  onWhatsApp: boolean;
  preferredSource: EngagementSource;
  /** `burst` people: the category and the round their intent peaks (it fades with a half-life of 2 rounds). */
  burst?: { category: string; round: number };
}

/** What the person has been through when a message arrives (fatigue raises opt-outs). */
export interface MessageContext {
  /** The round (day) of the message: a burst of intent depends on it. */
  round?: number;
  /** Marketing messages the person received in the last 7 rounds, before this one. */
  recentMessages?: number;
}

export interface ArchetypePopulationOptions {
  seed?: string;
  categories?: readonly string[];
  /** Share of engagements on a random category, whatever the person's interests (default 0.3). */
  engagementNoise?: number;
  /** Rounds the burst of a `burst` person may peak in, [0, this) (default 24). */
  burstRounds?: number;
}

/**
 * A second simulated population, of a different structure from `SimulatedPopulation`, written to
 * test whether targeting generalizes: sparse interests (one main, one or two minor), archetypes
 * whose engagement volume does not predict buying, noise engagement on random categories, bursts
 * of intent that fade, and fatigue (each message received in the last week raises the chance to
 * opt out). Deterministic from the seed and the number, like `SimulatedPopulation`.
 */
export class ArchetypePopulation {
  readonly seed: string;
  readonly categories: readonly string[];
  private readonly noise: number;
  private readonly burstRounds: number;
  /** For phone numbers in the same format as the other population. */
  private readonly numbers: SimulatedPopulation;
  private readonly people = new Map<string, ArchetypePerson>();

  constructor(options: ArchetypePopulationOptions = {}) {
    this.seed = options.seed ?? 'wt-archetypes-v1';
    this.categories = options.categories ?? SIMULATION_CATEGORIES;
    if (this.categories.length < 3) throw new Error('ArchetypePopulation needs at least three categories');
    this.noise = options.engagementNoise ?? 0.3;
    if (!(this.noise >= 0 && this.noise <= 1)) throw new Error(`engagementNoise must be between 0 and 1, got ${this.noise}`);
    this.burstRounds = Math.max(1, Math.floor(options.burstRounds ?? 24));
    this.numbers = new SimulatedPopulation({ seed: this.seed, categories: this.categories });
  }

  phoneNumbers(count: number, key = 'default'): string[] {
    return this.numbers.phoneNumbers(count, key);
  }

  /** The hidden truth about a number (cached: it is pure). */
  person(phone: string): ArchetypePerson {
    const known = this.people.get(phone);
    if (known) return known;
    const random = seededRandom(this.seed, 'archetype-person', phone);
    let left = random();
    let archetype: Archetype = 'casual';
    for (const a of ARCHETYPES) {
      if ((left -= SHAPES[a].share) < 0) {
        archetype = a;
        break;
      }
    }
    const shape = SHAPES[archetype];
    const pool = [...this.categories];
    const take = () => pool.splice(Math.floor(random() * pool.length), 1)[0] as string;
    const main = take();
    const minor = Array.from({ length: 1 + Math.floor(random() * 2) }, take);
    const affinity: Record<string, number> = {};
    for (const category of this.categories) affinity[category] = between(random, 0, 0.05);
    affinity[main] = between(random, 0.8, 1);
    for (const category of minor) affinity[category] = between(random, 0.25, 0.5);
    const draw = (range: readonly [number, number]) => between(random, range[0], range[1]);
    const person: ArchetypePerson = {
      phone,
      archetype,
      main,
      minor,
      affinity,
      volume: draw(shape.volume),
      read: draw(shape.read),
      reply: draw(shape.reply),
      click: draw(shape.click),
      purchase: draw(shape.purchase),
      optOut: draw(shape.optOut),
      onWhatsApp: random() >= 0.03,
      preferredSource: random() < 0.5 ? 'facebook' : 'instagram',
      burst:
        archetype === 'burst' ? { category: random() < 0.6 ? main : take(), round: Math.floor(random() * this.burstRounds) } : undefined,
    };
    this.people.set(phone, person);
    return person;
  }

  archetype(phone: string): Archetype {
    return this.person(phone).archetype;
  }

  preferredSource(phone: string): EngagementSource {
    return this.person(phone).preferredSource;
  }

  /** How much a burst of intent adds to a category at a round: 1 at its peak, halving every 2 rounds after, nothing before. */
  private burstAt(person: ArchetypePerson, category: string, round: number): number {
    if (!person.burst || person.burst.category !== category || round < person.burst.round) return 0;
    return Math.pow(2, -(round - person.burst.round) / 2);
  }

  /** How well a message matches the person at a round: their affinity, raised by a burst of intent. */
  relevance(phone: string, categories: readonly string[], round = 0): number {
    const person = this.person(phone);
    return categories.reduce((best, c) => Math.max(best, Math.min(1, (person.affinity[c] ?? 0) + 0.9 * this.burstAt(person, c, round))), 0);
  }

  /** The oracle: the true probabilities of each response to this message, given the round and fatigue. */
  probabilities(phone: string, message: SimulatedMessage, context: MessageContext = {}): ResponseProbabilities {
    const person = this.person(phone);
    const r = this.relevance(phone, message.categories, context.round);
    const delivered = person.onWhatsApp ? 1 : 0;
    const read = delivered * person.read * (0.7 + 0.3 * r);
    const optOut = read * this.optOutGivenRead(person, r, context.recentMessages ?? 0);
    const stays = read - optOut;
    const click = stays * person.click * r;
    return { delivered, read, reply: stays * person.reply, click, purchase: click * person.purchase * r, optOut };
  }

  private optOutGivenRead(person: ArchetypePerson, r: number, recentMessages: number): number {
    return Math.min(0.95, person.optOut * (1 - r) * (1 + 0.6 * recentMessages));
  }

  /** What the person does with one message; the same `messageKey` gives the same reaction. */
  react(phone: string, message: SimulatedMessage & { messageKey: string } & MessageContext): MessageReaction {
    const person = this.person(phone);
    const none = { read: false, replied: false, clicked: false, purchased: false, optedOut: false };
    if (!person.onWhatsApp) return { delivered: false, failure: { reason: 'not_on_whatsapp', errorCode: 131026 }, ...none };
    const draw = (step: string) => hashUnit(this.seed, 'archetype-react', phone, message.messageKey, step);
    const r = this.relevance(phone, message.categories, message.round);
    const read = draw('read') < person.read * (0.7 + 0.3 * r);
    const optedOut = read && draw('opt-out') < this.optOutGivenRead(person, r, message.recentMessages ?? 0);
    const replied = read && !optedOut && draw('reply') < person.reply;
    const clicked = read && !optedOut && draw('click') < person.click * r;
    const purchased = clicked && draw('purchase') < person.purchase * r;
    return { delivered: true, read, replied, clicked, purchased, optedOut };
  }

  /**
   * One round's social-media engagement: a number of events that follows the archetype's volume
   * (not its buying), its types, the main and minor interests (a burst adds its own), and noise on
   * random categories. Deterministic per (phone, round).
   */
  engagements(phone: string, options: { round: number }): SimulatedEngagement[] {
    const person = this.person(phone);
    const random = seededRandom(this.seed, 'archetype-engagements', phone, options.round);
    const burst = person.burst ? this.burstAt(person, person.burst.category, options.round) : 0;
    const expected = person.volume + 4 * burst;
    const count = Math.floor(expected) + (random() < expected - Math.floor(expected) ? 1 : 0);
    const interests: [string, number][] = [[person.main, 1], ...person.minor.map((c): [string, number] => [c, 0.35])];
    if (burst > 0 && person.burst) interests.push([person.burst.category, 3 * burst]);
    const shape = SHAPES[person.archetype];
    const types: (readonly [EngagementType, number])[] =
      burst > 0.3 ? [...shape.types, ['click', 30], ['purchase', 10 * burst]] : [...shape.types];
    return Array.from({ length: count }, () => {
      const category = random() < this.noise ? pick(random, this.categories) : weighted(random, interests);
      let type = weighted(random, types);
      // A purchase follows what the person wants: noise engagement never buys.
      if (type === 'purchase' && (person.affinity[category] ?? 0) < 0.2 && this.burstAt(person, category, options.round) === 0)
        type = 'click';
      const source: EngagementSource =
        random() < 0.8 ? person.preferredSource : person.preferredSource === 'facebook' ? 'instagram' : 'facebook';
      return { category, type, source };
    });
  }
}
