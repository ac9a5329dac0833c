import { type EngagementType } from '@wt/contracts';
import { ENGAGEMENT_WEIGHTS } from '@wt/profile-model';

const HOUR_MS = 3_600_000;

/**
 * Interest scores that halve every `halfLifeHours` without new engagement.
 *
 * A score is kept as its value at a reference time `at`. The score of a category at time T is
 * Σ weight_i · 2^(-(T - t_i)/H) over its events, a sum, so events may arrive in any order (or
 * late) and give the same result. Scores are referenced to the latest event time, never to the
 * wall clock, so reprocessing the same events always yields the same profile.
 */
export class InterestDecay {
  constructor(private readonly halfLifeHours: number) {}

  /** Factor applied to a score when moving it `fromMs` → `toMs` (later: < 1; earlier: > 1). */
  factor(fromMs: number, toMs: number): number {
    return Math.pow(2, -(toMs - fromMs) / (this.halfLifeHours * HOUR_MS));
  }

  /** Scores re-referenced to another time. */
  rebase(scores: Record<string, number>, fromMs: number, toMs: number): Record<string, number> {
    const f = this.factor(fromMs, toMs);
    const out: Record<string, number> = {};
    for (const [category, score] of Object.entries(scores)) out[category] = score * f;
    return out;
  }

  /** Adds one event's contribution, at `eventMs`, to scores referenced at `atMs`. */
  add(scores: Record<string, number>, atMs: number, categories: readonly string[], type: EngagementType, eventMs: number): void {
    const contribution = ENGAGEMENT_WEIGHTS[type] * this.factor(eventMs, atMs);
    for (const category of categories) scores[category] = (scores[category] ?? 0) + contribution;
  }

  /** Drops categories whose score became negligible, keeping profiles small. */
  prune(scores: Record<string, number>, floor = 1e-3): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [category, score] of Object.entries(scores)) if (score >= floor) out[category] = Math.round(score * 1e6) / 1e6;
    return out;
  }
}
