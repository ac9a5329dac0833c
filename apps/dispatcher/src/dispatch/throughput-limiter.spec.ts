import { type DataSource } from 'typeorm';
import { ThroughputLimiter } from './throughput-limiter';

/** A fake of the one statement the limiter runs: the same GCRA arithmetic, in memory. */
function fakeDatabase(clock: () => number): DataSource {
  const tat = new Map<string, number>();
  return {
    query: async (_sql: string, [phoneNumberId, advanceMs]: [string, number]) => {
      const next = Math.max(tat.get(phoneNumberId) ?? 0, clock()) + advanceMs;
      tat.set(phoneNumberId, next);
      return [{ tat_ms: String(next), now_ms: String(clock()) }];
    },
  } as unknown as DataSource;
}

function maxInAnySecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j += 1) {
    while ((sorted[j] as number) - (sorted[i] as number) >= 1000) i += 1;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

describe('ThroughputLimiter', () => {
  it('spaces the sends of one number so that no sliding second holds more than the rate, across callers', async () => {
    const now = Date.now();
    const limiter = new ThroughputLimiter(fakeDatabase(() => now));
    // Two "replicas" reserving in turn share one schedule.
    const slots = [
      ...(await limiter.reserve('pn1', 50, 80, 25)),
      ...(await limiter.reserve('pn1', 50, 80, 25)),
      ...(await limiter.reserve('pn1', 60, 80, 25)),
    ];
    expect(maxInAnySecond(slots)).toBeLessThanOrEqual(80);
    expect(maxInAnySecond(slots)).toBeGreaterThanOrEqual(78);
    expect(new Set(slots).size).toBe(160);
  });

  it('gives each number its own schedule', async () => {
    const now = Date.now();
    const limiter = new ThroughputLimiter(fakeDatabase(() => now));
    const a = await limiter.reserve('a', 1, 10, 0);
    const b = await limiter.reserve('b', 1, 10, 0);
    expect(a[0]).toBeCloseTo(b[0] as number, -1);
  });
});
