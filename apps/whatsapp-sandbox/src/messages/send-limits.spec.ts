import { PairRateLimit, ThroughputLimit } from './send-limits';

describe('ThroughputLimit', () => {
  it('allows perSecond messages in any sliding second, per phone number id', () => {
    const limit = new ThroughputLimit(2);
    for (const at of [0, 400]) {
      expect(limit.allows('p1', at)).toBe(true);
      limit.record('p1', at);
    }
    expect(limit.allows('p1', 999)).toBe(false);
    expect(limit.allows('p2', 999)).toBe(true);
    expect(limit.allows('p1', 1000)).toBe(true);
  });

  it('is unlimited at 0', () => {
    const limit = new ThroughputLimit(0);
    for (let i = 0; i < 1000; i++) limit.record('p1', 0);
    expect(limit.allows('p1', 0)).toBe(true);
  });
});

describe('PairRateLimit', () => {
  it('needs intervalMs between two messages to the same recipient from one phone number id', () => {
    const limit = new PairRateLimit(6000);
    limit.record('p1', '491', 0);
    expect(limit.allows('p1', '491', 5999)).toBe(false);
    expect(limit.allows('p1', '492', 1)).toBe(true);
    expect(limit.allows('p2', '491', 1)).toBe(true);
    expect(limit.allows('p1', '491', 6000)).toBe(true);
  });

  it('is disabled at 0', () => {
    const limit = new PairRateLimit(0);
    limit.record('p1', '491', 0);
    expect(limit.allows('p1', '491', 0)).toBe(true);
  });
});
