import { type CampaignV1, type ProfileSnapshotV1, type SignalKind } from '@wt/contracts';

/** Responses to messages, counted from the outcomes learned (one of each kind per message at most). */
export interface ResponseCounts {
  /** Messages delivered (the denominator of every rate). */
  delivered: number;
  read: number;
  clicked: number;
  purchased: number;
  optedOut: number;
}

export const NO_RESPONSES: ResponseCounts = { delivered: 0, read: 0, clicked: 0, purchased: 0, optedOut: 0 };

/** What scoring itself knows about a person's messages: sends and how the person responded. */
export interface MessagingHistory {
  /** Messages granted to the person in the last 24 h and 7 days, all businesses. */
  sentLastDay: number;
  sentLastWeek: number;
  /** Per business: messages in the last 24 h and 7 days. */
  byBusiness: Record<string, { sentLastDay: number; sentLastWeek: number }>;
  /** Per business: the person's responses to its messages. */
  responses: Record<string, ResponseCounts>;
}

export const EMPTY_HISTORY: MessagingHistory = { sentLastDay: 0, sentLastWeek: 0, byBusiness: {}, responses: {} };

/** The population's response rates per message delivered (what a person's own history is shrunk toward). */
export interface PopulationRates {
  read: number;
  clicked: number;
  purchased: number;
}

/** Before anything is learned: rates typical of WhatsApp marketing (the shrinkage target until outcomes come). */
export const DEFAULT_RATES: PopulationRates = { read: 0.6, clicked: 0.1, purchased: 0.02 };

/**
 * Weight of the population rate in a person's shrunk rate, in messages: a person's own history
 * counts as much as the population's after this many messages (empirical Bayes with a Beta prior
 * of this strength, centred on the measured population rate).
 */
export const RESPONSE_PRIOR_MESSAGES = 4;

export const FEATURES = [
  'interest',
  'interest.share',
  'interest.affinity',
  'intent.recent',
  'recency',
  'activity',
  'platform.instagram_share',
  'purchases.category',
  'purchases.any',
  'purchases.business',
  'mix.social',
  'mix.commercial',
  'business.engagement',
  'response.read',
  'response.click',
  'response.purchase',
  'fatigue',
  'fatigue.day',
] as const;
export type FeatureName = (typeof FEATURES)[number];
export type FeatureValues = Record<FeatureName, number>;

export interface FeatureVector {
  values: FeatureValues;
  kinds: Readonly<Record<FeatureName, SignalKind>>;
  /** The campaign's categories the person is interested in, strongest first (for the explanation). */
  interests: { category: string; value: number }[];
  /** Consents the features relied on. */
  consentBasis: string[];
}

/** Fields the profiles service adds (issue 3); read defensively so both shapes of the snapshot work. */
type PurposeBoundSnapshot = ProfileSnapshotV1 & {
  signalBasis?: 'cross_app' | 'first_party_only';
  firstPartyInterests?: Record<string, Record<string, number>>;
};

/**
 * Interests usable for this business, and where they came from. With the purpose-bound rule in
 * the snapshot, `cross_app` interests may serve any business and `first_party_only` people only
 * count their engagement with the business's own pages. Older snapshots carry one map.
 */
export function usableInterestsFor(
  snapshot: ProfileSnapshotV1,
  businessId: string,
): { interests: Record<string, number>; kind: SignalKind; crossApp: boolean } {
  const s = snapshot as PurposeBoundSnapshot;
  if (s.signalBasis === 'first_party_only')
    return { interests: s.firstPartyInterests?.[businessId] ?? {}, kind: 'first_party', crossApp: false };
  if (s.signalBasis === 'cross_app') return { interests: s.interests, kind: 'cross_app', crossApp: true };
  const crossApp = snapshot.consents.crossAppProfiling;
  return { interests: snapshot.interests, kind: crossApp ? 'cross_app' : 'first_party', crossApp };
}

const HOUR = 3_600_000;

/**
 * Shrinkage of the interest share: as if the person had also shown this much interest spread over
 * everything else (about two views), so one stray engagement is not a 100 % share.
 */
export const AFFINITY_PRIOR_MASS = 2;
/** Keeps the log finite for a person with no interest in the campaign's categories at all. */
export const AFFINITY_FLOOR = 0.05;

/** Events' worth of a uniform mix the engagement mix is shrunk toward. */
const MIX_PRIOR_MASS = 3;

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * A person's rate shrunk toward the population's (Beta prior of RESPONSE_PRIOR_MESSAGES messages
 * centred on `population`), as log-odds above the population's: 0 without history.
 */
export function shrunkLogOdds(count: number, delivered: number, population: number): number {
  const p0 = Math.min(0.99, Math.max(0.001, population));
  const rate = (count + RESPONSE_PRIOR_MESSAGES * p0) / (delivered + RESPONSE_PRIOR_MESSAGES);
  return logit(Math.min(0.999, Math.max(0.0005, rate))) - logit(p0);
}

function sumOf(values: Record<string, number> | undefined, keys?: readonly string[]): number {
  if (!values) return 0;
  let sum = 0;
  if (keys) for (const k of keys) sum += values[k] ?? 0;
  else for (const k in values) sum += values[k] ?? 0;
  return sum;
}

/** Where each feature comes from, by where the interests come from (one object per case, shared: never changed). */
const KINDS = new Map<SignalKind, Readonly<Record<FeatureName, SignalKind>>>();

function kindsOf(interests: SignalKind): Readonly<Record<FeatureName, SignalKind>> {
  let kinds = KINDS.get(interests);
  if (!kinds) {
    kinds = Object.freeze({
      interest: interests,
      'interest.share': interests,
      'interest.affinity': interests,
      'intent.recent': 'cross_app',
      recency: interests,
      activity: interests,
      'platform.instagram_share': 'cross_app',
      'purchases.category': 'cross_app',
      'purchases.any': 'cross_app',
      'purchases.business': 'first_party',
      'mix.social': 'cross_app',
      'mix.commercial': 'cross_app',
      'business.engagement': 'first_party',
      'response.read': 'messaging',
      'response.click': 'messaging',
      'response.purchase': 'messaging',
      fatigue: 'context',
      'fatigue.day': 'context',
    });
    KINDS.set(interests, kinds);
  }
  return kinds;
}

/**
 * Features of one (person, campaign) pair, from the snapshot brought to `now` and the messaging
 * history. Purpose-bound: what combines apps (cross-app interests, purchases elsewhere, the
 * engagement mix, short-term intent, the platform mix, responses to other businesses' messages)
 * only counts under cross-app consent; otherwise the business's own signals only.
 */
export function extractFeatures(
  snapshot: ProfileSnapshotV1,
  campaign: CampaignV1,
  history: MessagingHistory,
  now: Date,
  population: PopulationRates = DEFAULT_RATES,
): FeatureVector {
  const usable = usableInterestsFor(snapshot, campaign.businessId);
  const ageHours = Math.max(0, (now.getTime() - Date.parse(snapshot.updatedAt)) / HOUR);
  const decay = snapshot.interestHalfLifeHours > 0 ? Math.pow(2, -ageHours / snapshot.interestHalfLifeHours) : 0;
  const interests = campaign.targetCategories
    .map((category) => ({ category, value: (usable.interests[category] ?? 0) * decay }))
    .filter((f) => f.value > 0)
    .sort((a, b) => b.value - a.value);
  const targeted = interests.reduce((sum, f) => sum + f.value, 0);
  const all = Object.values(usable.interests).reduce((sum, v) => sum + Math.max(0, v) * decay, 0);
  const lastSeen = snapshot.activity.lastSeenAt ? Date.parse(snapshot.activity.lastSeenAt) : undefined;
  const sources = snapshot.activity.eventsBySource;
  const sourceTotal = Object.values(sources).reduce((a, b) => a + b, 0);
  const signals = usable.crossApp ? snapshot.signals : undefined;
  const recentDecay = signals && signals.recentHalfLifeHours > 0 ? Math.pow(2, -ageHours / signals.recentHalfLifeHours) : 0;
  const mix = signals?.engagementMix;
  const mixTotal = (mix?.passive ?? 0) + (mix?.social ?? 0) + (mix?.commercial ?? 0);
  // Responses: to this business's messages; to every business's only under cross-app consent.
  const own = history.responses[campaign.businessId] ?? NO_RESPONSES;
  let r: ResponseCounts = own;
  if (usable.crossApp) {
    r = { ...NO_RESPONSES };
    for (const counts of Object.values(history.responses)) {
      r.delivered += counts.delivered;
      r.read += counts.read;
      r.clicked += counts.clicked;
      r.purchased += counts.purchased;
      r.optedOut += counts.optedOut;
    }
  }
  const values: FeatureValues = {
    interest: Math.log1p(targeted),
    'interest.share': all > 0 ? targeted / all : 0,
    // The share shrunk towards 0 while little is known (prior mass AFFINITY_PRIOR_MASS), in log
    // form: in the simulated world (and plausibly in life) the chance to buy grows like the square
    // of the affinity, and the share of engagement like that square too, so log-odds go with it.
    'interest.affinity': Math.log((targeted + AFFINITY_FLOOR) / (all + AFFINITY_PRIOR_MASS)),
    // Short-term intent: the campaign's categories over the last day or two (its own half-life).
    'intent.recent': Math.log1p(sumOf(signals?.recentInterests, campaign.targetCategories) * recentDecay),
    recency: lastSeen === undefined ? 0 : Math.exp(-Math.max(0, now.getTime() - lastSeen) / (72 * HOUR)),
    activity: Math.log1p(snapshot.activity.totalEvents) / 5,
    // Platform mix combines apps: only under cross-app consent.
    'platform.instagram_share': usable.crossApp && sourceTotal > 0 ? (sources['instagram'] ?? 0) / sourceTotal : 0,
    'purchases.category': Math.log1p(sumOf(signals?.purchases, campaign.targetCategories) * decay),
    'purchases.any': Math.log1p(sumOf(signals?.purchases) * decay),
    'purchases.business': Math.log1p((snapshot.firstPartyPurchases?.[campaign.businessId] ?? 0) * decay),
    // Shares in log form, shrunk toward a third each (a person with no mix gets 0): buying goes
    // with the product of propensities, so log-odds go with their logs.
    'mix.social': mixTotal > 0 ? Math.log((3 * (mix?.social ?? 0) + MIX_PRIOR_MASS) / (mixTotal + MIX_PRIOR_MASS)) : 0,
    'mix.commercial': mixTotal > 0 ? Math.log((3 * (mix?.commercial ?? 0) + MIX_PRIOR_MASS) / (mixTotal + MIX_PRIOR_MASS)) : 0,
    'business.engagement': Math.log1p(snapshot.activity.eventsByBusiness[campaign.businessId] ?? 0),
    'response.read': shrunkLogOdds(r.read, r.delivered, population.read),
    'response.click': shrunkLogOdds(r.clicked, r.delivered, population.clicked),
    'response.purchase': shrunkLogOdds(r.purchased, r.delivered, population.purchased),
    fatigue: history.sentLastWeek / 3,
    'fatigue.day': history.sentLastDay,
  };
  const consentBasis = [`whatsapp_marketing:${campaign.businessId}`, ...(usable.crossApp ? ['cross_app_profiling'] : [])];
  return {
    values,
    kinds: kindsOf(usable.kind),
    interests,
    consentBasis,
  };
}
