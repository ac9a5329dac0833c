/**
 * Meta's two send-time limits, as plain classes with the time passed in (so tests need no clock).
 * Checking and recording are separate: a send is recorded only once it is accepted.
 */

const SECOND_MS = 1000;

/** Throughput: at most `perSecond` accepted messages per phone_number_id in any sliding second (0: unlimited). */
export class ThroughputLimit {
  private readonly windows = new Map<string, number[]>();

  private readonly rateOf: (phoneNumberId: string) => number;

  /** `perSecond`: one rate for every number, or each number's (0: unlimited). */
  constructor(perSecond: number | ((phoneNumberId: string) => number)) {
    this.rateOf = typeof perSecond === 'number' ? () => perSecond : perSecond;
  }

  allows(phoneNumberId: string, now: number): boolean {
    const perSecond = this.rateOf(phoneNumberId);
    if (perSecond === 0) return true;
    const times = this.windows.get(phoneNumberId);
    if (!times) return true;
    while (times.length > 0 && (times[0] ?? 0) <= now - SECOND_MS) times.shift();
    return times.length < perSecond;
  }

  record(phoneNumberId: string, now: number): void {
    if (this.rateOf(phoneNumberId) === 0) return;
    const times = this.windows.get(phoneNumberId);
    if (times) times.push(now);
    else this.windows.set(phoneNumberId, [now]);
  }

  clear(): void {
    this.windows.clear();
  }
}

/** Pair rate: at least `intervalMs` between two accepted messages from one phone_number_id to one recipient (0: no limit). */
export class PairRateLimit {
  private readonly lastSent = new Map<string, number>();
  private pruneAbove = 50_000;

  constructor(private readonly intervalMs: number) {}

  allows(phoneNumberId: string, waId: string, now: number): boolean {
    if (this.intervalMs === 0) return true;
    const last = this.lastSent.get(`${phoneNumberId}:${waId}`);
    return last === undefined || now - last >= this.intervalMs;
  }

  record(phoneNumberId: string, waId: string, now: number): void {
    if (this.intervalMs === 0) return;
    this.lastSent.set(`${phoneNumberId}:${waId}`, now);
    if (this.lastSent.size > this.pruneAbove) this.prune(now);
  }

  clear(): void {
    this.lastSent.clear();
  }

  /** Forgets pairs whose gap has elapsed, so that a long benchmark does not grow the map without end. */
  private prune(now: number): void {
    for (const [key, last] of this.lastSent) if (now - last >= this.intervalMs) this.lastSent.delete(key);
    this.pruneAbove = Math.max(50_000, this.lastSent.size * 2);
  }
}
