import { type CampaignV1, type ProfileSnapshotV1 } from '@wt/contracts';
import { SimulatedPopulation } from '@wt/simulation';
import { createHash } from 'node:crypto';
import { holdoutBucket } from '../policy/contact-policy';
import { EMPTY_HISTORY, extractFeatures, type FeatureValues, type MessagingHistory } from '../relevance/features';
import { type Example, LogisticModel } from '../relevance/logistic-model';
import { OUTCOME_LESSONS } from '../outcome/outcome.learner';

/** Interest per engagement type, as the profiles service counts it. */
const ENGAGEMENT_WEIGHTS: Record<string, number> = {
  view: 1,
  like: 2,
  save: 2.5,
  comment: 3,
  follow: 3,
  share: 3.5,
  click: 4,
  purchase: 8,
};

export const POLICIES = ['learned', 'random', 'rule', 'oracle'] as const;
export type PolicyName = (typeof POLICIES)[number];

export interface EvalOptions {
  people: number;
  rounds: number;
  /** Messages per campaign (each round), the same for every policy. */
  budget: number;
  engagementsPerRound: number;
  holdoutShare: number;
  seed: string;
  /** Factor applied to interests between rounds (1: rounds minutes apart, as in `npm run eval:targeting`; 0.5: a day apart with a 24 h half-life). */
  interestDecayPerRound: number;
  /** Thompson-sampling scale of the learned policy (0: greedy). */
  exploration: number;
}

export interface PolicyResult {
  policy: PolicyName;
  sent: number;
  delivered: number;
  conversions: number;
  /** Sum of the oracle's purchase probabilities of the messages sent: conversions without the luck of the draw. */
  expectedConversions: number;
  conversionRate: number;
  optOuts: number;
  holdout: number;
  holdoutConversions: number;
  /** Conversion rate of the treated minus that of the holdout (the simulator has no organic purchase). */
  uplift: number;
}

export interface EvalReport {
  options: EvalOptions;
  mode: 'offline';
  results: PolicyResult[];
  ratios: { learnedOverRandom: number; learnedOverOracle: number; optOutsLearnedVsRule: [number, number] };
  modelVersion: string;
}

const hashPerson = (phone: string) => createHash('sha256').update(phone).digest('hex');

/**
 * The targeting evaluation, OFFLINE (`npm run eval:targeting:offline`, seconds; for developing the
 * model; `npm run eval:targeting` runs the same comparison through the running services): the simulated population's hidden preferences drive the
 * engagement (turned into profile snapshots as the profiles service would) and the reactions to
 * each message; the learned policy is scoring's own feature extraction, model and outcome lessons,
 * learning after each round. It does not go through Kafka and the running services.
 */
export function runTargetingEval(options: EvalOptions, log: (line: string) => void = () => undefined): EvalReport {
  const sim = new SimulatedPopulation({ seed: options.seed });
  const phones = sim.phoneNumbers(options.people, 'eval');
  const businessId = 'eval-shop';
  const interests = new Map<string, Record<string, number>>();
  const sources = new Map<string, Record<string, number>>();
  const totals = { learned: tally('learned'), random: tally('random'), rule: tally('rule'), oracle: tally('oracle') };
  const histories: Record<PolicyName, Map<string, MessagingHistory>> = {
    learned: new Map(),
    random: new Map(),
    rule: new Map(),
    oracle: new Map(),
  };
  const optedOut: Record<PolicyName, Set<string>> = { learned: new Set(), random: new Set(), rule: new Set(), oracle: new Set() };
  let model = LogisticModel.coldStart();
  const now = new Date('2026-11-28T12:00:00Z');

  for (let round = 0; round < options.rounds; round++) {
    // Engagement of the round: interests halve each round (a 24 h half-life, one round a day).
    for (const phone of phones) {
      const mine = interests.get(phone) ?? {};
      for (const k of Object.keys(mine)) mine[k] *= options.interestDecayPerRound;
      const bySource = sources.get(phone) ?? {};
      for (const e of sim.engagements(phone, { count: options.engagementsPerRound, round })) {
        mine[e.category] = (mine[e.category] ?? 0) + (ENGAGEMENT_WEIGHTS[e.type] ?? 1);
        bySource[e.source] = (bySource[e.source] ?? 0) + 1;
      }
      interests.set(phone, mine);
      sources.set(phone, bySource);
    }
    const category = sim.categories[round % sim.categories.length];
    const campaign: CampaignV1 = {
      campaignId: `eval-${round}`,
      businessId,
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
    const message = { businessId, categories: campaign.targetCategories };
    const examples: Example[] = [];

    for (const policy of POLICIES) {
      const audience = phones.filter((p) => !optedOut[policy].has(p));
      const snapshotOf = (phone: string): ProfileSnapshotV1 =>
        ({
          personId: hashPerson(phone),
          signalBasis: 'cross_app',
          firstPartyInterests: {},
          version: round + 1,
          updatedAt: now.toISOString(),
          interests: interests.get(phone) ?? {},
          interestHalfLifeHours: options.interestDecayPerRound < 1 ? 24 : 336,
          consents: { whatsappMarketing: [businessId], crossAppProfiling: true },
          activity: {
            totalEvents: (round + 1) * options.engagementsPerRound,
            eventsBySource: sources.get(phone) ?? {},
            eventsByBusiness: {},
            lastSeenAt: now.toISOString(),
          },
        }) as unknown as ProfileSnapshotV1;
      const features = new Map<string, FeatureValues>();
      const rank = (score: (phone: string) => number) => [...audience].sort((a, b) => score(b) - score(a) || (a < b ? -1 : 1));
      let chosen: string[];
      switch (policy) {
        case 'learned': {
          const scores = new Map(
            audience.map((phone) => {
              const f = extractFeatures(snapshotOf(phone), campaign, histories.learned.get(phone) ?? EMPTY_HISTORY, now).values;
              features.set(phone, f);
              return [phone, model.sample(f, `${campaign.campaignId}:${hashPerson(phone)}`, { scale: options.exploration }).score] as const;
            }),
          );
          chosen = rank((p) => scores.get(p) ?? 0).slice(0, options.budget);
          break;
        }
        case 'random':
          chosen = rank((p) => parseInt(createHash('sha256').update(`${round}:${p}`).digest('hex').slice(0, 8), 16)).slice(
            0,
            options.budget,
          );
          break;
        case 'rule': {
          // Whoever engaged with the campaign's categories recently, in random order.
          const engaged = audience.filter((p) => (interests.get(p)?.[category] ?? 0) > 0);
          chosen = engaged
            .sort((a, b) => (holdoutBucket(`rule-${round}`, a) < holdoutBucket(`rule-${round}`, b) ? -1 : 1))
            .slice(0, options.budget);
          break;
        }
        case 'oracle':
          chosen = rank((p) => sim.probabilities(p, message).purchase).slice(0, options.budget);
          break;
      }
      const t = totals[policy];
      for (const phone of chosen) {
        const personId = hashPerson(phone);
        if (holdoutBucket(campaign.campaignId, personId) < options.holdoutShare) {
          t.holdout++; // never sent; the simulated person has no way to buy without the message
          continue;
        }
        const reaction = sim.react(phone, { ...message, messageKey: `${policy}:${round}` });
        t.sent++;
        t.expectedConversions += sim.probabilities(phone, message).purchase;
        if (reaction.delivered) t.delivered++;
        if (reaction.purchased) t.conversions++;
        if (reaction.optedOut) {
          t.optOuts++;
          optedOut[policy].add(phone);
        }
        const h = histories[policy].get(phone) ?? { sentLastDay: 0, sentLastWeek: 0, byBusiness: {}, responses: {} };
        h.sentLastWeek = Math.min(6, h.sentLastWeek + 1);
        const r = (h.responses[businessId] ??= { positive: 0, negative: 0 });
        if (reaction.read || reaction.replied || reaction.purchased) r.positive++;
        else r.negative++;
        histories[policy].set(phone, h);
        const f = features.get(phone);
        if (policy === 'learned' && f) {
          const lesson = (kind: keyof typeof OUTCOME_LESSONS) =>
            examples.push({ features: f, label: OUTCOME_LESSONS[kind].label, weight: OUTCOME_LESSONS[kind].weight });
          if (reaction.delivered) lesson('delivered');
          if (reaction.read) lesson('read');
          if (reaction.replied || reaction.clicked) lesson('replied');
          if (reaction.purchased) lesson('purchased');
          if (reaction.optedOut) lesson('opted_out');
        }
      }
    }
    model = model.learn(examples);
    log(
      `round ${round + 1}/${options.rounds} (${category}): expected ${totals.learned.expectedConversions.toFixed(1)} vs oracle ${totals.oracle.expectedConversions.toFixed(1)}; learned ${totals.learned.conversions}, random ${totals.random.conversions}, rule ${totals.rule.conversions}, oracle ${totals.oracle.conversions} conversions so far`,
    );
  }

  const results = POLICIES.map((p) => {
    const t = totals[p];
    const conversionRate = t.sent > 0 ? t.conversions / t.sent : 0;
    return { ...t, conversionRate, uplift: conversionRate - (t.holdout > 0 ? t.holdoutConversions / t.holdout : 0) };
  });
  const by = (p: PolicyName) => results.find((r) => r.policy === p)!;
  return {
    options,
    mode: 'offline',
    results,
    ratios: {
      learnedOverRandom: by('learned').conversions / Math.max(1, by('random').conversions),
      learnedOverOracle: by('learned').conversions / Math.max(1, by('oracle').conversions),
      optOutsLearnedVsRule: [by('learned').optOuts, by('rule').optOuts],
    },
    modelVersion: model.modelVersion,
  };
}

function tally(policy: PolicyName) {
  return { policy, sent: 0, delivered: 0, conversions: 0, expectedConversions: 0, optOuts: 0, holdout: 0, holdoutConversions: 0 };
}

export function formatReport(report: EvalReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `targeting evaluation (${report.mode}: scoring's model and policy against the simulated population, not through the running services)`,
    `${report.options.people} people, ${report.options.rounds} rounds, budget ${report.options.budget} messages per round and policy, holdout ${pct(report.options.holdoutShare)}`,
    '',
    'policy   | sent  | delivered | conversions | conv. rate | opt-outs | holdout | uplift',
    '---------|-------|-----------|-------------|------------|----------|---------|-------',
    ...report.results.map(
      (r) =>
        `${r.policy.padEnd(8)} | ${String(r.sent).padStart(5)} | ${String(r.delivered).padStart(9)} | ${String(r.conversions).padStart(11)} | ${pct(r.conversionRate).padStart(10)} | ${String(r.optOuts).padStart(8)} | ${String(r.holdout).padStart(7)} | ${pct(r.uplift)}`,
    ),
    '',
    `learned / random conversions: ${report.ratios.learnedOverRandom.toFixed(2)} (goal >= 3)`,
    `learned / oracle conversions: ${report.ratios.learnedOverOracle.toFixed(2)} (goal >= 0.9)`,
    `opt-outs learned vs rule: ${report.ratios.optOutsLearnedVsRule[0]} vs ${report.ratios.optOutsLearnedVsRule[1]} (goal: fewer)`,
    `final model: ${report.modelVersion}`,
  ];
  return lines.join('\n');
}
