import { bucketsBetween, countOf, parseBuckets, quantile } from './histogram';

const exposition = (counts: [string, number][]) =>
  [
    '# HELP wt_age_seconds Age',
    '# TYPE wt_age_seconds histogram',
    ...counts.map(([le, n]) => `wt_age_seconds_bucket{le="${le}",service="scoring"} ${n}`),
    `wt_age_seconds_sum{service="scoring"} 1`,
    `wt_age_seconds_count{service="scoring"} ${counts.at(-1)![1]}`,
    'wt_other_seconds_bucket{le="0.1",service="scoring"} 99',
  ].join('\n');

describe('histogram quantiles from a Prometheus exposition', () => {
  it('reads the buckets of the named histogram only, in order of their bounds', () => {
    const buckets = parseBuckets(
      exposition([
        ['0.1', 1],
        ['0.5', 3],
        ['+Inf', 4],
      ]),
      'wt_age_seconds',
    );
    expect([...buckets]).toEqual([
      [0.1, 1],
      [0.5, 3],
      [Infinity, 4],
    ]);
  });

  it('interpolates inside the bucket that holds the rank, over what was observed between two readings', () => {
    const before = parseBuckets(
      exposition([
        ['0.1', 10],
        ['0.2', 10],
        ['0.4', 10],
        ['+Inf', 10],
      ]),
      'wt_age_seconds',
    );
    const after = parseBuckets(
      exposition([
        ['0.1', 60],
        ['0.2', 100],
        ['0.4', 110],
        ['+Inf', 110],
      ]),
      'wt_age_seconds',
    );
    const window = bucketsBetween(before, after);
    expect(countOf(window)).toBe(100);
    // 50th of 100: the 50 below 0.1 s hold it, at the bucket's top.
    expect(quantile(window, 0.5)).toBeCloseTo(0.1);
    // 99th: 9 of the 10 between 0.2 and 0.4 s.
    expect(quantile(window, 0.99)).toBeCloseTo(0.38);
  });

  it('has no quantile without observations, and stops at the largest bound in +Inf', () => {
    expect(quantile(new Map([[Infinity, 0]]), 0.5)).toBeUndefined();
    expect(
      quantile(
        new Map([
          [1, 1],
          [Infinity, 10],
        ]),
        0.99,
      ),
    ).toBe(1);
  });
});
