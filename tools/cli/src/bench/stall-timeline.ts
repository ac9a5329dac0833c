/**
 * The fault run's stall sampler, its arithmetic (tools/stack/faults.mjs feeds it readings).
 *
 * A stage is stalled while records wait at its input and it makes no progress. The timeline keeps,
 * per stage, the instants it is known not to be stalled:
 *  - a reading of its records-handled counters that found one moved (it committed a batch);
 *  - a reading of its group's offsets that found it had read everything: stamped at the time the
 *    reading was asked, not answered. The committed offset is read before the end offset, and the
 *    end only grows, so `committed >= end` proves that nothing waited when the reading began,
 *    however long it took to answer (on a loaded machine, or while a node is down, seconds).
 * A stall is the time between two such instants; a stage that could not be read counts as stalled
 * (no evidence either way), so a gap of readings is never mistaken for idleness.
 */
export class StallTimeline {
  /** Per stage, the instants it was known not to be stalled, in order. */
  private readonly fine = new Map<string, number[]>();

  constructor(readonly stages: readonly string[]) {
    for (const stage of stages) this.fine.set(stage, []);
  }

  /** The stage's counters, read at `at`, moved since the previous reading. */
  progressed(stage: string, at: number): void {
    this.add(stage, at);
  }

  /** A reading of the stage's offsets, asked at `askedAt`, found nothing waiting at its input. */
  caughtUp(stage: string, askedAt: number): void {
    this.add(stage, askedAt);
  }

  private add(stage: string, at: number): void {
    const times = this.fine.get(stage);
    if (!times) throw new Error(`unknown stage ${stage}`);
    // Readings of offsets answer late, so instants may come out of order: kept sorted.
    let i = times.length;
    while (i > 0 && (times[i - 1] as number) > at) i--;
    if (times[i - 1] !== at) times.splice(i, 0, at);
  }

  /**
   * Each stage's longest stall overlapping [from, to], counted from its last fine instant at or
   * before `from` (a stall under way when the window opens counts whole), a stall still open at
   * `to` counting until `to`; the pipeline's is the longest of the stages'.
   */
  stallSince(from: number, to: number): { stallMs: number; stages: Record<string, number> } {
    const stages: Record<string, number> = {};
    for (const [stage, times] of this.fine) {
      let previous = from;
      for (const t of times) if (t <= from) previous = t;
      let longest = 0;
      for (const t of times) {
        if (t <= from || t > to) continue;
        longest = Math.max(longest, t - previous);
        previous = t;
      }
      stages[stage] = Math.max(longest, to - previous);
    }
    return { stallMs: Math.max(0, ...Object.values(stages)), stages };
  }

  /**
   * Whether every stage flows: known since before the last `forMs`, and over them never stalled
   * longer than `gapMs` (a stage's own cadence: the time between its commits while it works).
   */
  flowing(now: number, forMs: number, gapMs: number): boolean {
    const known = [...this.fine.values()].every((times) => times.some((t) => t <= now - forMs));
    return known && Object.values(this.stallSince(now - forMs, now).stages).every((ms) => ms <= gapMs);
  }

  /**
   * How long each stage had already stood still at `at` (when a fault began): `at` minus its last
   * fine instant at or before `at` (0 for a stage never seen fine by then: no evidence of a stall).
   */
  stalledAt(at: number): Record<string, number> {
    const stages: Record<string, number> = {};
    for (const [stage, times] of this.fine) {
      let last = at;
      for (const t of times) if (t <= at) last = t;
      stages[stage] = at - last;
    }
    return stages;
  }

  /** The stage's fine instants after `at`. */
  countAfter(stage: string, at: number): number {
    return (this.fine.get(stage) ?? []).filter((t) => t > at).length;
  }
}

/**
 * Whether a stage's records-handled counters moved between two readings (one per replica,
 * undefined: not read, the replica down or not answering): one that changed, up or down (a
 * restarted process counts from zero again), is progress; one not read, or read for the first
 * time, shows nothing.
 */
export function countersMoved(previous: readonly (number | undefined)[], now: readonly (number | undefined)[]): boolean {
  return now.some((n, i) => n !== undefined && previous[i] !== undefined && n !== previous[i]);
}
