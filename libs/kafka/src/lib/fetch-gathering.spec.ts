import { forEachConcurrently, gatherBatches } from './fetch-gathering';

describe('gatherBatches', () => {
  it('makes one call of a fetch of small batches', () => {
    expect(gatherBatches([3, 1, 4, 1, 5, 9], 5_000)).toEqual([[0, 1, 2, 3, 4, 5]]);
  });

  it('keeps large batches apart, in order, and never splits one', () => {
    expect(gatherBatches([6_000, 6_000, 100, 4_800, 7_000], 5_000)).toEqual([[0], [1], [2, 3], [4]]);
  });

  it('fills a call up to the bound, not beyond', () => {
    expect(gatherBatches([2_000, 3_000, 1], 5_000)).toEqual([[0, 1], [2]]);
  });

  it('has no call for an empty fetch', () => {
    expect(gatherBatches([], 5_000)).toEqual([]);
  });
});

describe('forEachConcurrently', () => {
  it('runs every item, at most `concurrency` at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5], 2, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      done.push(n);
      running -= 1;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('rejects with a failure', async () => {
    await expect(
      forEachConcurrently([1, 2], 1, async (n) => {
        if (n === 2) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
