import { type CampaignV1, type EngagementType, type ProfileSnapshotV1 } from '@wt/contracts';
import { ENGAGEMENT_KIND, ENGAGEMENT_WEIGHTS } from '@wt/profile-model';
import {
  ArchetypePopulation,
  type MessageReaction,
  type ResponseProbabilities,
  type SimulatedEngagement,
  type SimulatedMessage,
  SimulatedPopulation,
} from '@wt/simulation';
import { createHash } from 'node:crypto';
import { holdoutBucket } from '../policy/contact-policy';
import {
  DEFAULT_RATES,
  extractFeatures,
  FEATURES,
  type FeatureValues,
  type MessagingHistory,
  NO_RESPONSES,
  type PopulationRates,
} from '../relevance/features';
import { DEFAULT_EXPLORATION, type Example, LogisticModel, type Weights } from '../relevance/logistic-model';
import { OUTCOME_LESSONS } from '../outcome/outcome.learner';

/**
 * learned: scoring's model; random; rule: whoever engaged with the topic, in random order (the
 * engagement rule); interest_oracle: the true affinity for the topic (the ceiling of targeting from
 * interests alone); oracle: the true purchase probability (hidden propensities included).
 */
export const POLICIES = ['learned', 'random', 'rule', 'interest_oracle', 'oracle'] as const;
export type PolicyName = (typeof POLICIES)[number];
export const POPULATIONS = ['simulation', 'archetypes'] as const;
export type PopulationName = (typeof POPULATIONS)[number];

export interface EvalOptions {
  population: PopulationName;
  people: number;
  rounds: number;
  /** Messages per campaign (each round), the same for every policy. */
  budget: number;
  /** Engagements per person and round for `simulation` (the archetype population draws its own volume). */
  engagementsPerRound: number;
  holdoutShare: number;
  seed: string;
  /** Hours between rounds (one campaign a day by default): interests decay by it. */
  hoursPerRound: number;
  /** The system's default caps (scoring's PER_BUSINESS_WEEKLY_CAP; one business per policy here). */
  weeklyCap: number;
  /** Half-lives of the profiles service: long-term interests and short-term intent. */
  interestHalfLifeHours: number;
  recentHalfLifeHours: number;
  /** Thompson-sampling scale of the learned policy (0: greedy). */
  exploration: number;
}

export const DEFAULT_EVAL_OPTIONS: Omit<EvalOptions, 'population' | 'seed'> = {
  people: 3000,
  rounds: 24,
  budget: 120,
  engagementsPerRound: 3,
  holdoutShare: 0.1,
  hoursPerRound: 24,
  weeklyCap: 2,
  interestHalfLifeHours: 336,
  recentHalfLifeHours: 24,
  exploration: DEFAULT_EXPLORATION.scale,
};

interface Tally {
  policy: PolicyName;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  conversions: number;
  /** Sum of the oracle's purchase probabilities of the messages sent: conversions without the luck of the draw. */
  expectedConversions: number;
  optOuts: number;
  holdout: number;
  /** Per archetype: messages sent and their expected conversions. */
  byArchetype: Record<string, { sent: number; expectedConversions: number }>;
}

export interface RoundResult {
  round: number;
  category: string;
  expected: Record<PolicyName, number>;
  sent: Record<PolicyName, number>;
  /** The model's weights after learning from the round's outcomes. */
  weights: Record<string, number>;
}

export interface Calibration {
  /** Outcomes scored: the learned policy's sends of the second half of the rounds, predicted by the model before it learned them. */
  outcomes: number;
  brier: number;
  /** Brier score of always predicting the observed rate (what calibration must beat). */
  brierOfBaseRate: number;
  auc: number;
  reliability: { bin: string; predicted: number; observed: number; n: number }[];
}

export interface EvalReport {
  mode: 'offline';
  options: EvalOptions;
  results: Tally[];
  rounds: RoundResult[];
  calibration: Calibration;
  ratios: {
    expectedLearnedOverRandom: number;
    expectedLearnedOverRule: number;
    expectedLearnedOverInterestOracle: number;
    expectedLearnedOverOracle: number;
    firstHalfLearnedOverOracle: number;
    secondHalfLearnedOverOracle: number;
  };
  goals: Record<string, { met: boolean; value: string }>;
  modelVersion: string;
}

/** The two populations behind one interface: what the harness needs of a simulated world. */
export interface World {
  categories: readonly string[];
  phones: string[];
  engagements(phone: string, round: number): SimulatedEngagement[];
  probabilities(phone: string, message: SimulatedMessage, round: number, recentMessages: number): ResponseProbabilities;
  react(phone: string, message: SimulatedMessage, key: string, round: number, recentMessages: number): MessageReaction;
  /** How well the topic matches the person (what engagement can reveal at best). */
  affinity(phone: string, category: string, round: number): number;
  archetype(phone: string): string;
  source(phone: string): 'facebook' | 'instagram';
}

/**
 * The simulated world of one population, as both evaluations see it (this in-process one and the
 * one through the services, tools/stack/eval-targeting.mjs). `burstRounds` unset: the population's
 * default, which is also the sandbox's.
 */
export function worldOf(
  options: Pick<EvalOptions, 'population' | 'seed' | 'people' | 'engagementsPerRound'> & { burstRounds?: number },
): World {
  if (options.population === 'archetypes') {
    const sim = new ArchetypePopulation({ seed: options.seed, burstRounds: options.burstRounds });
    return {
      categories: sim.categories,
      phones: sim.phoneNumbers(options.people, 'eval'),
      engagements: (phone, round) => sim.engagements(phone, { round }),
      probabilities: (phone, message, round, recentMessages) => sim.probabilities(phone, message, { round, recentMessages }),
      react: (phone, message, messageKey, round, recentMessages) => sim.react(phone, { ...message, messageKey, round, recentMessages }),
      affinity: (phone, category, round) => sim.relevance(phone, [category], round),
      archetype: (phone) => sim.archetype(phone),
      source: (phone) => sim.preferredSource(phone),
    };
  }
  const sim = new SimulatedPopulation({ seed: options.seed });
  return {
    categories: sim.categories,
    phones: sim.phoneNumbers(options.people, 'eval'),
    engagements: (phone, round) => sim.engagements(phone, { count: options.engagementsPerRound, round }),
    probabilities: (phone, message) => sim.probabilities(phone, message),
    react: (phone, message, messageKey) => sim.react(phone, { ...message, messageKey }),
    affinity: (phone, category) => sim.relevance(phone, [category]),
    // This population has no archetypes: its people are told apart by their hidden propensity to buy.
    archetype: (phone) => {
      const p = sim.preferences(phone).propensity.purchase;
      return p < 0.37 ? 'low_propensity' : p < 0.53 ? 'mid_propensity' : 'high_propensity';
    },
    source: (phone) => sim.preferences(phone).preferredSource,
  };
}

/** A person's profile as the profiles service would hold it (interests, short-term intent, purchases, mix). */
interface Profile {
  interests: Record<string, number>;
  recent: Record<string, number>;
  purchases: Record<string, number>;
  mix: Record<'passive' | 'social' | 'commercial', number>;
  businessPurchases: Record<string, number>;
  bySource: Record<string, number>;
  totalEvents: number;
}

const hashPerson = (phone: string) => createHash('sha256').update(phone).digest('hex');
const BUSINESS = 'eval-shop';

/**
 * The targeting evaluation, OFFLINE (`npm run eval:targeting:offline`, a minute; for developing the
 * model; `npm run eval:targeting` runs the comparison through the running services): a simulated
 * population's hidden preferences drive the engagement (turned into profile snapshots as the
 * profiles service would: two half-lives, purchases, engagement mix) and the reactions to each
 * message; the learned policy is scoring's own feature extraction, model and outcome lessons,
 * learning after each round. Every policy chooses under the same constraints: its own opt-outs,
 * the weekly cap per business, the holdout (quiet hours do not apply: every person is awake at
 * the rounds' noon). Rounds are a day apart.
 */
export function runTargetingEval(options: EvalOptions, log: (line: string) => void = () => undefined): EvalReport {
  const world = worldOf({ ...options, burstRounds: options.rounds });
  const { phones } = world;
  const personOf = new Map(phones.map((p) => [p, hashPerson(p)]));
  const profiles = new Map<string, Profile>(
    phones.map((p) => [
      p,
      {
        interests: {},
        recent: {},
        purchases: {},
        mix: { passive: 0, social: 0, commercial: 0 },
        businessPurchases: {},
        bySource: {},
        totalEvents: 0,
      },
    ]),
  );
  const totals = Object.fromEntries(POLICIES.map((p) => [p, tally(p)])) as Record<PolicyName, Tally>;
  const optedOut = Object.fromEntries(POLICIES.map((p) => [p, new Set<string>()])) as Record<PolicyName, Set<string>>;
  /** Per policy and person: the rounds they were sent a message in, and their responses. */
  const sends = Object.fromEntries(POLICIES.map((p) => [p, new Map<string, number[]>()])) as Record<PolicyName, Map<string, number[]>>;
  const responses = new Map<string, typeof NO_RESPONSES>();
  let model = LogisticModel.coldStart();
  const start = Date.parse('2026-11-28T12:00:00Z');
  const longDecay = Math.pow(2, -options.hoursPerRound / options.interestHalfLifeHours);
  const recentDecay = Math.pow(2, -options.hoursPerRound / options.recentHalfLifeHours);
  const rounds: RoundResult[] = [];
  /** Rounds in a real week (the weekly cap's window). */
  const weekRounds = (7 * 24) / options.hoursPerRound;
  const predictions: { p: number; y: number; round: number }[] = [];

  const addEvent = (profile: Profile, category: string, type: EngagementType, source: string, businessId?: string) => {
    const w = ENGAGEMENT_WEIGHTS[type];
    profile.interests[category] = (profile.interests[category] ?? 0) + w;
    profile.recent[category] = (profile.recent[category] ?? 0) + w;
    profile.mix[ENGAGEMENT_KIND[type]] += 1;
    if (type === 'purchase') {
      profile.purchases[category] = (profile.purchases[category] ?? 0) + 1;
      if (businessId) profile.businessPurchases[businessId] = (profile.businessPurchases[businessId] ?? 0) + 1;
    }
    profile.bySource[source] = (profile.bySource[source] ?? 0) + 1;
    profile.totalEvents += 1;
  };

  for (let round = 0; round < options.rounds; round++) {
    const now = new Date(start + round * options.hoursPerRound * 3_600_000);
    for (const phone of phones) {
      const profile = profiles.get(phone)!;
      for (const map of [profile.interests, profile.purchases, profile.businessPurchases, profile.mix] as Record<string, number>[])
        for (const k of Object.keys(map)) map[k] = (map[k] ?? 0) * longDecay;
      for (const k of Object.keys(profile.recent)) profile.recent[k] = (profile.recent[k] ?? 0) * recentDecay;
      for (const e of world.engagements(phone, round)) addEvent(profile, e.category, e.type, e.source);
    }
    const category = world.categories[round % world.categories.length]!;
    const campaign: CampaignV1 = {
      campaignId: `eval-${round}`,
      businessId: BUSINESS,
      name: `Round ${round}`,
      status: 'active',
      phoneNumberId: '1',
      template: { name: 'eval', language: 'en', bodyParameters: [] },
      targetCategories: [category],
      minRelevance: 0,
      budgetMessages: options.budget,
      startsAt: now.toISOString(),
      updatedAt: now.toISOString(),
      holdoutShare: options.holdoutShare,
    };
    const message = { businessId: BUSINESS, categories: campaign.targetCategories };
    const examples: Example[] = [];
    const population = populationRates(responses);
    const roundResult: RoundResult = {
      round: round + 1,
      category,
      expected: zero(),
      sent: zero(),
      weights: {},
    };
    // Fatigue counts the last 7 rounds (simulated days, as the sandbox counts them); the weekly cap and
    // the model's fatigue count a real week: with rounds minutes apart (as through the services) it never resets.
    const recentOf = (policy: PolicyName, phone: string) => (sends[policy].get(phone) ?? []).filter((r) => r > round - 7).length;
    const weekOf = (policy: PolicyName, phone: string) => (sends[policy].get(phone) ?? []).filter((r) => r > round - weekRounds).length;

    for (const policy of POLICIES) {
      // The same constraints for every policy: its own opt-outs, the weekly cap, then the holdout.
      const audience = phones.filter((p) => !optedOut[policy].has(p) && weekOf(policy, p) < options.weeklyCap);
      const features = new Map<string, FeatureValues>();
      const draw = (p: string) => parseInt(createHash('sha256').update(`${policy}:${round}:${p}`).digest('hex').slice(0, 8), 16);
      let score: (phone: string) => number;
      switch (policy) {
        case 'learned': {
          const scores = new Map<string, number>();
          for (const phone of audience) {
            const f = extractFeatures(
              snapshotOf(phone, profiles.get(phone)!, now, options, world.source(phone)),
              campaign,
              historyOf(phone, round, weekRounds, sends.learned, responses),
              now,
              population,
            ).values;
            features.set(phone, f);
            scores.set(phone, model.sample(f, `${campaign.campaignId}:${personOf.get(phone)}`, { scale: options.exploration }).score);
          }
          score = (p) => scores.get(p) ?? 0;
          break;
        }
        case 'random':
          score = draw;
          break;
        case 'rule':
          // The engagement rule: whoever engaged with the campaign's topic, in random order.
          score = (p) => ((profiles.get(p)!.interests[category] ?? 0) > 0.5 ? 2 ** 32 : 0) + draw(p);
          break;
        case 'interest_oracle':
          score = (p) => world.affinity(p, category, round);
          break;
        case 'oracle':
          score = (p) => world.probabilities(p, message, round, recentOf('oracle', p)).purchase;
          break;
      }
      const ranked = audience.map((p) => ({ p, s: score(p) })).sort((a, b) => b.s - a.s || (a.p < b.p ? -1 : 1));
      const t = totals[policy];
      let sent = 0;
      for (const { p: phone } of ranked) {
        if (sent >= options.budget) break;
        const personId = personOf.get(phone)!;
        if (holdoutBucket(campaign.campaignId, personId) < options.holdoutShare) {
          t.holdout++; // never sent; the simulated person never buys without the message
          continue;
        }
        sent++;
        const recent = recentOf(policy, phone);
        const probability = world.probabilities(phone, message, round, recent).purchase;
        const reaction = world.react(phone, message, `${policy}:${round}`, round, recent);
        t.sent++;
        t.expectedConversions += probability;
        roundResult.expected[policy] += probability;
        roundResult.sent[policy]++;
        const a = (t.byArchetype[world.archetype(phone)] ??= { sent: 0, expectedConversions: 0 });
        a.sent++;
        a.expectedConversions += probability;
        sends[policy].set(phone, [...(sends[policy].get(phone) ?? []), round]);
        if (reaction.delivered) t.delivered++;
        if (reaction.read) t.read++;
        if (reaction.clicked) t.clicked++;
        if (reaction.purchased) {
          t.conversions++;
          // The purchase comes back through the shop's conversion feed, as engagement with the business.
          addEvent(profiles.get(phone)!, category, 'purchase', world.source(phone), `${BUSINESS}-${policy}`);
        }
        if (reaction.optedOut) {
          t.optOuts++;
          optedOut[policy].add(phone);
        }
        const f = features.get(phone);
        if (policy === 'learned' && f) {
          const r = responses.get(phone) ?? { ...NO_RESPONSES };
          if (reaction.delivered) r.delivered++;
          if (reaction.read) r.read++;
          if (reaction.clicked) r.clicked++;
          if (reaction.purchased) r.purchased++;
          if (reaction.optedOut) r.optedOut++;
          responses.set(phone, r);
          if (reaction.delivered) predictions.push({ p: model.predict(f), y: reaction.purchased ? 1 : 0, round });
          const lesson = (kind: keyof typeof OUTCOME_LESSONS) =>
            examples.push({ features: f, label: OUTCOME_LESSONS[kind].label, weight: OUTCOME_LESSONS[kind].weight });
          if (reaction.delivered) lesson('delivered');
          if (reaction.read) lesson('read');
          if (reaction.replied) lesson('replied');
          if (reaction.clicked) lesson('clicked');
          if (reaction.purchased) lesson('purchased');
          if (reaction.optedOut) lesson('opted_out');
        }
      }
    }
    model = model.learn(examples);
    roundResult.weights = roundWeights(model.weights);
    rounds.push(roundResult);
    log(
      `round ${String(round + 1).padStart(2)}/${options.rounds} ${category.padEnd(14)} expected: ${POLICIES.map((p) => `${p} ${roundResult.expected[p].toFixed(1)}`).join(', ')}; ` +
        `weights ${Object.entries(roundResult.weights)
          .map(([k, v]) => `${k} ${v}`)
          .join(' ')}`,
    );
  }

  const by = (p: PolicyName) => totals[p].expectedConversions;
  const half = Math.floor(options.rounds / 2);
  const sumRounds = (from: number, to: number, p: PolicyName) => rounds.slice(from, to).reduce((s, r) => s + r.expected[p], 0);
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  const ratios = {
    expectedLearnedOverRandom: ratio(by('learned'), by('random')),
    expectedLearnedOverRule: ratio(by('learned'), by('rule')),
    expectedLearnedOverInterestOracle: ratio(by('learned'), by('interest_oracle')),
    expectedLearnedOverOracle: ratio(by('learned'), by('oracle')),
    firstHalfLearnedOverOracle: ratio(sumRounds(0, half, 'learned'), sumRounds(0, half, 'oracle')),
    secondHalfLearnedOverOracle: ratio(sumRounds(half, options.rounds, 'learned'), sumRounds(half, options.rounds, 'oracle')),
  };
  const goal = (met: boolean, value: string) => ({ met, value });
  const goals: Record<string, { met: boolean; value: string }> = {
    learnedAtLeast5xRandom: goal(ratios.expectedLearnedOverRandom >= 5, ratios.expectedLearnedOverRandom.toFixed(2)),
    learnedAtLeast2xRule: goal(ratios.expectedLearnedOverRule >= 2, ratios.expectedLearnedOverRule.toFixed(2)),
    fewerOptOutsThanRule: goal(totals.learned.optOuts < totals.rule.optOuts, `${totals.learned.optOuts} vs ${totals.rule.optOuts}`),
    learningCurveRises: goal(
      ratios.secondHalfLearnedOverOracle > ratios.firstHalfLearnedOverOracle,
      `${ratios.firstHalfLearnedOverOracle.toFixed(2)} -> ${ratios.secondHalfLearnedOverOracle.toFixed(2)}`,
    ),
  };
  if (options.population === 'simulation')
    goals['learnedAtLeastInterestOracle'] = goal(
      ratios.expectedLearnedOverInterestOracle >= 1,
      ratios.expectedLearnedOverInterestOracle.toFixed(2),
    );
  else
    goals['learnedAtLeast85PercentOfOracle'] = goal(ratios.expectedLearnedOverOracle >= 0.85, ratios.expectedLearnedOverOracle.toFixed(2));
  return {
    mode: 'offline',
    options,
    results: POLICIES.map((p) => ({ ...totals[p], expectedConversions: round2(totals[p].expectedConversions) })),
    rounds: rounds.map((r) => ({
      ...r,
      expected: Object.fromEntries(POLICIES.map((p) => [p, round2(r.expected[p])])) as Record<PolicyName, number>,
    })),
    calibration: calibrationOf(predictions.filter((x) => x.round >= half)),
    ratios,
    goals,
    modelVersion: model.modelVersion,
  };
}

function snapshotOf(phone: string, profile: Profile, now: Date, options: EvalOptions, source: string): ProfileSnapshotV1 {
  void source;
  return {
    personId: hashPerson(phone),
    version: 1,
    updatedAt: now.toISOString(),
    interests: profile.interests,
    signalBasis: 'cross_app',
    firstPartyInterests: {},
    interestHalfLifeHours: options.interestHalfLifeHours,
    consents: { whatsappMarketing: [BUSINESS], crossAppProfiling: true },
    activity: { totalEvents: profile.totalEvents, eventsBySource: profile.bySource, eventsByBusiness: {}, lastSeenAt: now.toISOString() },
    signals: {
      purchases: profile.purchases,
      engagementMix: profile.mix,
      recentInterests: profile.recent,
      recentHalfLifeHours: options.recentHalfLifeHours,
    },
    firstPartyPurchases: { [BUSINESS]: profile.businessPurchases[`${BUSINESS}-learned`] ?? 0 },
  };
}

function historyOf(
  phone: string,
  round: number,
  weekRounds: number,
  sends: ReadonlyMap<string, number[]>,
  responses: ReadonlyMap<string, typeof NO_RESPONSES>,
): MessagingHistory {
  const mine = sends.get(phone) ?? [];
  const week = mine.filter((r) => r > round - weekRounds).length;
  return {
    sentLastDay: 0,
    sentLastWeek: week,
    byBusiness: { [BUSINESS]: { sentLastDay: 0, sentLastWeek: week } },
    responses: { [BUSINESS]: responses.get(phone) ?? NO_RESPONSES },
  };
}

/** The population's response rates so far, blended with the defaults as scoring does (DecisionStore.populationRates). */
function populationRates(responses: ReadonlyMap<string, typeof NO_RESPONSES>): PopulationRates {
  const sum = { ...NO_RESPONSES };
  for (const r of responses.values()) {
    sum.delivered += r.delivered;
    sum.read += r.read;
    sum.clicked += r.clicked;
    sum.purchased += r.purchased;
  }
  const prior = 200;
  const blend = (n: number, fallback: number) => (n + prior * fallback) / (sum.delivered + prior);
  return {
    read: blend(sum.read, DEFAULT_RATES.read),
    clicked: blend(sum.clicked, DEFAULT_RATES.clicked),
    purchased: blend(sum.purchased, DEFAULT_RATES.purchased),
  };
}

export function calibrationOf(pairs: readonly { p: number; y: number }[]): Calibration {
  const n = pairs.length;
  if (n === 0) return { outcomes: 0, brier: 0, brierOfBaseRate: 0, auc: 0, reliability: [] };
  const base = pairs.reduce((s, x) => s + x.y, 0) / n;
  const brier = pairs.reduce((s, x) => s + (x.p - x.y) ** 2, 0) / n;
  const brierOfBaseRate = pairs.reduce((s, x) => s + (base - x.y) ** 2, 0) / n;
  // AUC by ranks (Mann-Whitney), ties counted half.
  const sorted = [...pairs].sort((a, b) => a.p - b.p);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j]!.p === sorted[i]!.p) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.y === 1) rankSum += rank;
    i = j;
  }
  const positives = pairs.filter((x) => x.y === 1).length;
  const negatives = n - positives;
  const auc = positives > 0 && negatives > 0 ? (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives) : 0;
  // Reliability: predictions in equal-count bins (deciles), mean predicted against observed.
  const bins = 10;
  const reliability = Array.from({ length: bins }, (_, b) => {
    const slice = sorted.slice(Math.floor((b * n) / bins), Math.floor(((b + 1) * n) / bins));
    const mean = (f: (x: { p: number; y: number }) => number) =>
      slice.length > 0 ? slice.reduce((s, x) => s + f(x), 0) / slice.length : 0;
    return {
      bin: `${b * 10}-${(b + 1) * 10} %`,
      predicted: round4(mean((x) => x.p)),
      observed: round4(mean((x) => x.y)),
      n: slice.length,
    };
  });
  return { outcomes: n, brier: round4(brier), brierOfBaseRate: round4(brierOfBaseRate), auc: round4(auc), reliability };
}

/** Weights as printed per round: every feature, rounded. */
function roundWeights(weights: Weights): Record<string, number> {
  return Object.fromEntries(['bias', ...FEATURES].map((k) => [k, Math.round((weights[k as keyof Weights] ?? 0) * 100) / 100]));
}

function zero(): Record<PolicyName, number> {
  return Object.fromEntries(POLICIES.map((p) => [p, 0])) as Record<PolicyName, number>;
}

function tally(policy: PolicyName): Tally {
  return {
    policy,
    sent: 0,
    delivered: 0,
    read: 0,
    clicked: 0,
    conversions: 0,
    expectedConversions: 0,
    optOuts: 0,
    holdout: 0,
    byArchetype: {},
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function formatReport(report: EvalReport): string {
  const o = report.options;
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const archetypes = [...new Set(report.results.flatMap((r) => Object.keys(r.byArchetype)))].sort();
  const lines = [
    `targeting evaluation (offline: scoring's features, model and lessons against the simulated population "${o.population}", not through the services)`,
    `${o.people} people, ${o.rounds} rounds a day apart, budget ${o.budget} messages per round and policy, weekly cap ${o.weeklyCap}, holdout ${(o.holdoutShare * 100).toFixed(0)} %, seed ${o.seed}`,
    '',
    `round | topic          | ${POLICIES.map((p) => pad(p, 15)).join(' | ')} | learned/oracle`,
    ...report.rounds.map(
      (r) =>
        `${pad(r.round, 5)} | ${r.category.padEnd(14)} | ${POLICIES.map((p) => pad(r.expected[p].toFixed(2), 15)).join(' | ')} | ${(r.expected.oracle > 0 ? r.expected.learned / r.expected.oracle : 0).toFixed(2)}`,
    ),
    '',
    'policy          | sent | delivered | read | clicked | conversions | expected | opt-outs | holdout',
    ...report.results.map(
      (r) =>
        `${r.policy.padEnd(15)} | ${pad(r.sent, 4)} | ${pad(r.delivered, 9)} | ${pad(r.read, 4)} | ${pad(r.clicked, 7)} | ${pad(r.conversions, 11)} | ${pad(r.expectedConversions.toFixed(1), 8)} | ${pad(r.optOuts, 8)} | ${pad(r.holdout, 7)}`,
    ),
    '',
    `sends (expected conversions) per archetype: ${archetypes.join(', ')}`,
    ...report.results.map(
      (r) =>
        `${r.policy.padEnd(15)} | ${archetypes
          .map((a) => `${pad(r.byArchetype[a]?.sent ?? 0, 4)} (${(r.byArchetype[a]?.expectedConversions ?? 0).toFixed(1).padStart(5)})`)
          .join(' | ')}`,
    ),
    '',
    `calibration on the learned policy's later outcomes (rounds ${Math.floor(o.rounds / 2) + 1}-${o.rounds}, ${report.calibration.outcomes} delivered messages): ` +
      `Brier ${report.calibration.brier} (base rate ${report.calibration.brierOfBaseRate}), AUC ${report.calibration.auc}`,
    'reliability (deciles of predicted purchase probability): predicted vs observed (n)',
    ...report.calibration.reliability.map((b) => `  ${b.bin.padEnd(9)} ${b.predicted.toFixed(4)} vs ${b.observed.toFixed(4)} (${b.n})`),
    '',
    `final weights: ${Object.entries(report.rounds.at(-1)?.weights ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    ...Object.entries(report.goals).map(([name, g]) => `goal ${name}: ${g.value} ${g.met ? 'met' : 'MISSED'}`),
  ];
  return lines.join('\n');
}
