/** The part of a prom-client Gauge the lag report uses (a fake in unit tests). */
export interface LagGauge {
  set(labels: { topic: string; partition: string }, value: number): void;
  remove(labels: { topic: string; partition: string }): void;
}

/** How long a partition's lag stays reported without a batch refreshing it (default). */
export const DEFAULT_LAG_STALE_AFTER_MS = 60_000;

/**
 * The service-side consumer lag (`wt_consumer_lag{topic,partition}`) of one consumer, reported only
 * for the partitions it owns and only while its figure is fresh:
 * - a rebalance that takes a partition away removes its series (the replica that lost it stops
 *   reporting it; the new owner reports it after its first batch);
 * - a stopped or crashed consumer removes all of its series;
 * - a figure no batch has refreshed for `staleAfterMs` is removed when the gauge is read (a stuck
 *   consumer, or one whose partition went idle, does not show its last value forever).
 * The broker-side lag (Kafka Exporter, see docs/alerts.md) stays the figure alerts use: it does
 * not depend on the consumer being alive.
 */
export class ConsumerLagReport {
  /** `topic\0partition` -> when its figure was last set. */
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly gauge: LagGauge,
    private readonly staleAfterMs = DEFAULT_LAG_STALE_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records behind the partition's end after a batch whose last offset is `lastOffset`. */
  reportBatch(topic: string, partition: number, highWatermark: string, lastOffset: string): void {
    const lag = Number(BigInt(highWatermark) - BigInt(lastOffset) - 1n);
    this.gauge.set({ topic, partition: String(partition) }, Math.max(0, lag));
    this.reported.set(key(topic, partition), this.now());
  }

  /** A (re)join's assignment (kafkajs GROUP_JOIN's `memberAssignment`): drops every other partition. */
  assigned(assignment: Record<string, readonly number[]>): void {
    for (const reported of [...this.reported.keys()]) {
      const [topic, partition] = split(reported);
      if (!assignment[topic]?.includes(partition)) this.drop(reported);
    }
  }

  /** The consumer stopped or crashed: it owns nothing any more. */
  clear(): void {
    for (const reported of [...this.reported.keys()]) this.drop(reported);
  }

  /** Removes the figures older than `staleAfterMs` (called when the gauge is collected). */
  expireStale(): void {
    const oldest = this.now() - this.staleAfterMs;
    for (const [reported, at] of [...this.reported]) if (at < oldest) this.drop(reported);
  }

  /** Partitions reported now, as `topic:partition` (for tests and logs). */
  partitions(): string[] {
    return [...this.reported.keys()].map((reported) => reported.replace('\0', ':'));
  }

  private drop(reported: string): void {
    const [topic, partition] = split(reported);
    this.gauge.remove({ topic, partition: String(partition) });
    this.reported.delete(reported);
  }
}

const key = (topic: string, partition: number) => `${topic}\0${partition}`;
function split(reported: string): [string, number] {
  const at = reported.lastIndexOf('\0');
  return [reported.slice(0, at), Number(reported.slice(at + 1))];
}

/** Every live report of the process, expired when the gauge is scraped (see kafkaMetrics.lag). */
export const liveLagReports = new Set<ConsumerLagReport>();
