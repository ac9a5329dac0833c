/** Cumulative bucket counts of one Prometheus histogram, by upper bound (seconds; +Inf last). */
export type Buckets = Map<number, number>;

/** Reads `<name>_bucket` series from a Prometheus text exposition, summed over their labels. */
export function parseBuckets(text: string, name: string): Buckets {
  const buckets: Buckets = new Map();
  const pattern = new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm');
  for (const [, labels, value] of text.matchAll(pattern)) {
    const le = /(?:^|,)le="([^"]+)"/.exec(labels as string)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(value));
  }
  return new Map([...buckets].sort((a, b) => a[0] - b[0]));
}

/** What was observed between two readings of the same histogram. */
export function bucketsBetween(before: Buckets, after: Buckets): Buckets {
  return new Map([...after].map(([bound, count]) => [bound, count - (before.get(bound) ?? 0)]));
}

/**
 * The q-quantile (0..1) of a histogram, interpolated linearly inside its bucket as Prometheus's
 * histogram_quantile does; undefined without observations. In the +Inf bucket: the largest bound.
 */
export function quantile(buckets: Buckets, q: number): number | undefined {
  const entries = [...buckets];
  const total = entries.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of entries) {
    if (count >= rank) {
      if (bound === Infinity) return lowerBound;
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / Math.max(1, count - lowerCount);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

/** Observations in a histogram. */
export function countOf(buckets: Buckets): number {
  return [...buckets].at(-1)?.[1] ?? 0;
}
