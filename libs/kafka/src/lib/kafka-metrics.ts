import { counter, gauge, histogram } from '@wt/observability';
import { liveLagReports } from './consumer-lag';

/** Consumption metrics shared by every service (one registry per process). */
export const kafkaMetrics = {
  consumed: counter({ name: 'wt_records_consumed_total', help: 'Records read, by topic and result', labelNames: ['topic', 'result'] }),
  deadLetters: counter({ name: 'wt_dead_letters_total', help: 'Records sent to the dead-letter topic', labelNames: ['topic', 'reason'] }),
  handlerFailures: counter({
    name: 'wt_handler_failures_total',
    help: 'Batch handler calls that failed, by topic and kind: transient (retried), data or unknown (the batch is split down to the poison record)',
    labelNames: ['topic', 'kind'],
  }),
  skipped: counter({
    name: 'wt_records_skipped_total',
    help: "Records a consumer did not hand to its handler, by topic and reason (filtered: refused by the handler's raw filter; null_value: also dead-lettered)",
    labelNames: ['topic', 'reason'],
  }),
  batchSeconds: histogram({
    name: 'wt_batch_processing_seconds',
    help: 'Time to process one fetched batch, effects and commit included',
    labelNames: ['topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  consumerRestarts: counter({
    name: 'wt_consumer_restarts_total',
    help: 'Consumers recreated after a crash kafkajs would not restart from (e.g. evicted from the group)',
  }),
  producerResets: counter({
    name: 'wt_producer_resets_total',
    help: "Idempotent producers replaced after their sequence numbers no longer matched a partition leader's (after a leader failover)",
  }),
  producerPartitionsResent: counter({
    name: 'wt_producer_partitions_resent_total',
    help: 'Partitions whose records a send left out while kafkajs reported it done (kafkajs #1303, a retry after a leader moved), sent again, by topic',
    labelNames: ['topic'],
  }),
  lag: gauge({
    name: 'wt_consumer_lag',
    help: 'Records behind the partition end after the last batch, for the partitions this replica owns (removed on rebalance, stop, and after a minute without a batch)',
    labelNames: ['topic', 'partition'],
    collect() {
      for (const report of liveLagReports) report.expireStale();
    },
  }),
};
