/**
 * Meta's throughput limit per business phone number, enforced before calling Meta: at most
 * `perSecond` sends in any sliding second (with a small margin for network jitter).
 * In-process: one dispatcher replica. Sharing the limit across replicas is the dispatcher issue's.
 */
export class ThroughputLimit {
  private readonly sent = new Map<string, number[]>();
  private readonly windowMs: number;

  constructor(
    private readonly perSecond: number,
    marginMs = 25,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.windowMs = 1000 + marginMs;
  }

  /** Resolves when one more message may go to Meta from this phone number, and counts it. */
  async acquire(phoneNumberId: string): Promise<void> {
    for (;;) {
      const now = this.now();
      const times = this.sent.get(phoneNumberId) ?? [];
      while (times.length > 0 && times[0] <= now - this.windowMs) times.shift();
      if (times.length < this.perSecond) {
        times.push(now);
        this.sent.set(phoneNumberId, times);
        return;
      }
      await this.sleep(times[0] + this.windowMs - now);
    }
  }
}
