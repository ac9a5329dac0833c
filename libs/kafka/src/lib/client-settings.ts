import { type RetryOptions } from 'kafkajs';

/**
 * The timings of every Kafka client of the services, in one place: what a replicated cluster
 * losing a node (a partition leader, the group coordinator, the active controller) costs a stage
 * is mostly how long its clients wait before they try again, and how long they keep trying.
 *
 * kafkajs's `retry` (its docs, "Retry"; src/retry): an operation is tried, then retried up to
 * `retries` times; the first pause is `initialRetryTime` (±`factor`, 20 %), each next one the
 * previous times `multiplier` (2, ±20 %), never more than `maxRetryTime`. Its defaults (300 ms,
 * doubling up to 30 s) leave a client asleep for seconds after the cluster is whole again.
 */

/**
 * Every client (producer, admin, the cluster's metadata and coordinator look-ups): a first retry
 * after about 100 ms, then at most 500 ms apart, for about 11 s in all (100 + 200 + 400 + 21 × 500
 * ms, see retryBudgetMs): longer than a leader failover after a node dies (the controller fences it
 * after `broker.session.timeout.ms`, 3 s on the local cluster, 9 s by default) and than a KRaft
 * controller election, so a send or a look-up rides out either instead of failing its caller.
 */
export const CLIENT_RETRY: Readonly<Required<Omit<RetryOptions, 'restartOnFailure'>>> = {
  initialRetryTime: 100,
  maxRetryTime: 500,
  retries: 24,
  factor: 0.2,
  multiplier: 2,
};

/**
 * A consumer's own retries (its fetch loop, joining the group): the same, about 11 s, then kafkajs
 * crashes the consumer and KafkaBatchServer rejoins. A coordinator that moved does not go through
 * these retries at all (see coordinated in kafka-batch.server.ts): the member rejoins at once.
 */
export const CONSUMER_RETRY = CLIENT_RETRY;

/**
 * How long the broker holds a fetch that finds no records (kafkajs `maxWaitTimeInMs`, default
 * 5 s). A fetch in wait holds the consumer's loop: its heartbeats, its reaction to a leader that
 * moved, a rejoin. 500 ms is the Java client's `fetch.max.wait.ms`.
 */
export const CONSUMER_MAX_WAIT_MS = 500;

/**
 * How old a consumer's cluster metadata (partition leaders, live nodes) may get before its fetch
 * loop asks again (kafkajs `metadataMaxAge`, default 5 min). kafkajs's consumer refreshes it after
 * a closed connection, but not when it cannot connect to a partition's leader (a node just killed,
 * still named leader until the controller fences it): every fetch then fails (and stops the
 * fetches from the other nodes with it) against metadata that names the dead node, until it is
 * this old or the consumer's retries (about 11 s) run out and it restarts (kafkajs 2.2.4,
 * ConsumerGroup.recoverFromFetch). Refreshed at least every second, a consumer finds the new
 * leaders within about a second of the failover (the fault run, 2026-12-08: no consumer crashed
 * over 10 node kills). Its cost: one metadata request (of the consumer's own topics) a second per
 * consumer. Producers refresh on a connection error already.
 */
export const CONSUMER_METADATA_MAX_AGE_MS = 1_000;

/** How long the group waits for a silent member before giving its partitions to others (default). */
export const SESSION_TIMEOUT_MS = 10_000;

/** Heartbeats at most this often (kafkajs sends one only once this much passed since the last). */
export const HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * Longest time a handler call is kept alive by heartbeats sent while it works (see
 * KafkaBatchServer): a long batch keeps its partitions, while a handler stuck for longer lets its
 * member be evicted and the batch go to another (the Java client's `max.poll.interval.ms`, 5 min).
 */
export const MAX_HANDLER_HEARTBEAT_MS = 5 * 60_000;

export const CONNECTION_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The pauses a retry policy makes at most, without its ±20 % randomization: their sum is the
 * longest an operation is retried (the time the attempts themselves take aside).
 */
export function retryPausesMs(retry: Pick<RetryOptions, 'initialRetryTime' | 'maxRetryTime' | 'retries' | 'multiplier'>): number[] {
  const pauses: number[] = [];
  let pause = retry.initialRetryTime ?? 300;
  for (let i = 0; i < (retry.retries ?? 5); i++) {
    pauses.push(pause);
    pause = Math.min(pause * (retry.multiplier ?? 2), retry.maxRetryTime ?? 30_000);
  }
  return pauses;
}

/** The sum of retryPausesMs: how long an operation is retried before its caller sees it fail. */
export function retryBudgetMs(retry: Parameters<typeof retryPausesMs>[0]): number {
  return retryPausesMs(retry).reduce((sum, pause) => sum + pause, 0);
}
