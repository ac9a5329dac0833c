/**
 * Most of `times` within any sliding window of `windowMs` (`[t, t + windowMs)`): what Meta's (and
 * the sandbox's) sliding second counts. `times` need not be sorted.
 */
export function busiestWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  for (let from = 0, to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) >= windowMs) from++;
    busiest = Math.max(busiest, to - from + 1);
  }
  return busiest;
}

/**
 * Seeded stalls of a simulated process (a GC pause, a busy event loop) over `[0, durationMs)`:
 * about `perSecond` a second, each up to `maxMs` long. Returns, for a time, when the stall covering
 * it ends (undefined: none). The same `random` stream gives the same stalls.
 */
export function seededStalls(
  random: () => number,
  durationMs: number,
  perSecond: number,
  maxMs: number,
): (t: number) => number | undefined {
  /** For each millisecond, when the stall covering it ends (0: none). */
  const until = new Float64Array(durationMs + 1);
  for (let t = 0; t < durationMs; t += 1000 / Math.max(perSecond, 1e-9)) {
    const from = t + random() * 900;
    const to = from + random() * maxMs;
    for (let ms = Math.ceil(from); ms < to && ms <= durationMs; ms += 1) until[ms] = Math.max(until[ms] as number, to);
  }
  return (t) => {
    const to = until[Math.floor(t)] ?? 0;
    return to > t ? to : undefined;
  };
}
