import { type CampaignV1, type DecisionExplanationV1, type ProfileSnapshotV1 } from '@wt/contracts';

export const RULE_MODEL_VERSION = 'interest-overlap-v1';

export interface Relevance {
  score: number;
  explanation: DecisionExplanationV1;
  topInterest?: string;
}

/** Interest that saturates the score to about 63 %: one click, or four views. */
const SATURATION = 4;

/**
 * First relevance rule: the person's decayed interest in the campaign's categories, brought to
 * now and squashed into 0..1. A learned model replaces it (scoring issue); the explanation
 * format stays the same.
 */
export function interestOverlap(snapshot: ProfileSnapshotV1, campaign: CampaignV1, now: Date): Relevance {
  const ageHours = Math.max(0, (now.getTime() - Date.parse(snapshot.updatedAt)) / 3_600_000);
  const decay = Math.pow(2, -ageHours / snapshot.interestHalfLifeHours);
  const factors = campaign.targetCategories
    .map((category) => ({ category, value: (snapshot.interests[category] ?? 0) * decay }))
    .filter((f) => f.value > 0)
    .sort((a, b) => b.value - a.value);
  const total = factors.reduce((sum, f) => sum + f.value, 0);
  const score = 1 - Math.exp(-total / SATURATION);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  const summary =
    factors.length === 0
      ? `No recent interest in ${campaign.targetCategories.join(', ')}.`
      : `Recent interest in ${factors.map((f) => f.category).join(', ')} (relevance ${round(score)}, threshold ${campaign.minRelevance}).`;
  return {
    score: round(score),
    topInterest: factors[0]?.category,
    explanation: {
      summary,
      factors: factors.map((f) => ({
        name: `interest.${f.category.replace(/[^a-z0-9_.]/g, '_')}`,
        value: round(f.value),
        contribution: total > 0 ? round((score * f.value) / total) : 0,
      })),
    },
  };
}
