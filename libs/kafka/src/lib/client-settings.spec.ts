import { CLIENT_RETRY, CONSUMER_MAX_WAIT_MS, CONSUMER_RETRY, retryBudgetMs, retryPausesMs } from './client-settings';

describe('client settings', () => {
  it('retry at most 500 ms apart, from about 100 ms, for about 11 s: longer than a leader or controller failover', () => {
    for (const retry of [CLIENT_RETRY, CONSUMER_RETRY]) {
      const pauses = retryPausesMs(retry);
      expect(pauses[0]).toBe(100);
      expect(Math.max(...pauses)).toBe(500);
      expect(retryBudgetMs(retry)).toBe(11_200);
    }
    expect(CONSUMER_MAX_WAIT_MS).toBe(500);
  });

  it("kafkajs's defaults, for comparison: 300 ms doubling up to 30 s, 5 retries (9.3 s, the last pause 4.8 s)", () => {
    expect(retryPausesMs({})).toEqual([300, 600, 1_200, 2_400, 4_800]);
  });
});
