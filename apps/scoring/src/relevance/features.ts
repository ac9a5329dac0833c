import { type CampaignV1, type ProfileSnapshotV1, type SignalKind } from '@wt/contracts';

/** What scoring itself knows about a person's messages: sends and how the person responded. */
export interface MessagingHistory {
  /** Messages granted to the person in the last 24 h and 7 days, all businesses. */
  sentLastDay: number;
  sentLastWeek: number;
  /** Per business: messages in the last 24 h and 7 days. */
  byBusiness: Record<string, { sentLastDay: number; sentLastWeek: number }>;
  /** Per business: positive responses (read, reply, purchase) and messages left without one. */
  responses: Record<string, { positive: number; negative: number }>;
}

export const EMPTY_HISTORY: MessagingHistory = { sentLastDay: 0, sentLastWeek: 0, byBusiness: {}, responses: {} };

export const FEATURES = [
  'interest',
  'interest.share',
  'interest.affinity',
  'recency',
  'activity',
  'platform.instagram_share',
  'business.engagement',
  'business.responses',
  'business.ignored',
  'fatigue',
] as const;
export type FeatureName = (typeof FEATURES)[number];
export type FeatureValues = Record<FeatureName, number>;

export interface FeatureVector {
  values: FeatureValues;
  kinds: Record<FeatureName, SignalKind>;
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

/** Features of one (person, campaign) pair, from the snapshot brought to `now` and the messaging history. */
export function extractFeatures(snapshot: ProfileSnapshotV1, campaign: CampaignV1, history: MessagingHistory, now: Date): FeatureVector {
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
  const responses = history.responses[campaign.businessId] ?? { positive: 0, negative: 0 };
  const values: FeatureValues = {
    interest: Math.log1p(targeted),
    'interest.share': all > 0 ? targeted / all : 0,
    // The share shrunk towards 0 while little is known (prior mass AFFINITY_PRIOR_MASS), in log
    // form: in the simulated world (and plausibly in life) the chance to buy grows like the square
    // of the affinity, and the share of engagement like that square too, so log-odds go with it.
    'interest.affinity': Math.log((targeted + AFFINITY_FLOOR) / (all + AFFINITY_PRIOR_MASS)),
    recency: lastSeen === undefined ? 0 : Math.exp(-Math.max(0, now.getTime() - lastSeen) / (72 * HOUR)),
    activity: Math.log1p(snapshot.activity.totalEvents) / 5,
    // Platform mix combines apps: only under cross-app consent.
    'platform.instagram_share': usable.crossApp && sourceTotal > 0 ? (sources['instagram'] ?? 0) / sourceTotal : 0,
    'business.engagement': Math.log1p(snapshot.activity.eventsByBusiness[campaign.businessId] ?? 0),
    'business.responses': Math.log1p(responses.positive),
    'business.ignored': Math.log1p(responses.negative),
    fatigue: history.sentLastWeek / 3,
  };
  const consentBasis = [`whatsapp_marketing:${campaign.businessId}`, ...(usable.crossApp ? ['cross_app_profiling'] : [])];
  return {
    values,
    kinds: {
      interest: usable.kind,
      'interest.share': usable.kind,
      'interest.affinity': usable.kind,
      recency: usable.kind,
      activity: usable.kind,
      'platform.instagram_share': 'cross_app',
      'business.engagement': 'first_party',
      'business.responses': 'messaging',
      'business.ignored': 'messaging',
      fatigue: 'context',
    },
    interests,
    consentBasis,
  };
}
