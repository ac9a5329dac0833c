import { ThroughputLimit } from './throughput-limit';

describe('ThroughputLimit', () => {
  it('lets perSecond messages through at once, then waits for the window to slide', async () => {
    let clock = 0;
    const waits: number[] = [];
    const limit = new ThroughputLimit(3, 0, () => clock, async (ms) => {
      waits.push(ms);
      clock += ms;
    });
    for (let i = 0; i < 3; i += 1) await limit.acquire('pn1');
    expect(waits).toEqual([]);
    await limit.acquire('pn1');
    expect(waits).toEqual([1000]);
    expect(clock).toBe(1000);
  });

  it('counts each phone number separately', async () => {
    let clock = 0;
    const limit = new ThroughputLimit(1, 0, () => clock, async (ms) => {
      clock += ms;
    });
    await limit.acquire('a');
    await limit.acquire('b');
    expect(clock).toBe(0);
    await limit.acquire('a');
    expect(clock).toBe(1000);
  });
});
