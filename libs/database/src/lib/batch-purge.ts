import { type DataSource } from 'typeorm';

export interface BatchPurgeOptions {
  /** The table rows are deleted from (a trusted identifier, never input). */
  table: string;
  /** SQL condition of the rows past retention, with `$2...` parameters (`$1` is the batch size). */
  where: string;
  params?: readonly unknown[];
  /** Rows deleted per transaction (default 5,000): short transactions, short row locks. */
  batchSize?: number;
  /** Name of the transaction-scoped advisory lock that keeps replicas from purging the same table at once. */
  lockName: string;
  /** Most batches in one run (default unbounded): a CronJob may want to stop early. */
  maxBatches?: number;
}

export interface BatchPurgeResult {
  /** false: another replica held the lock; this run deleted nothing more. */
  ran: boolean;
  rows: number;
  batches: number;
  seconds: number;
}

/**
 * Deletes rows past retention in batches, each in its own short transaction, until none is left:
 * `DELETE ... WHERE ctid = ANY(ARRAY(SELECT ctid ... LIMIT n FOR UPDATE SKIP LOCKED))`, so a purge
 * never waits on (nor blocks for long) the rows the service is writing. Each batch takes a
 * transaction-scoped advisory lock (`pg_try_advisory_xact_lock`): no session state, so it works
 * through PgBouncer in transaction pooling; a replica that finds the lock taken stops (another one
 * is purging).
 */
export async function purgeInBatches(dataSource: DataSource, options: BatchPurgeOptions): Promise<BatchPurgeResult> {
  const batchSize = options.batchSize ?? 5_000;
  const started = process.hrtime.bigint();
  const result: BatchPurgeResult = { ran: true, rows: 0, batches: 0, seconds: 0 };
  for (;;) {
    if (options.maxBatches !== undefined && result.batches >= options.maxBatches) break;
    const deleted = await dataSource.transaction(async (manager) => {
      const [{ locked }]: { locked: boolean }[] = await manager.query(
        `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`,
        [options.lockName],
      );
      if (!locked) return undefined;
      const [, count]: [unknown, number] = await manager.query(
        `DELETE FROM ${options.table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${options.table} WHERE ${options.where} LIMIT $1 FOR UPDATE SKIP LOCKED))`,
        [batchSize, ...(options.params ?? [])],
      );
      return count;
    });
    if (deleted === undefined) {
      result.ran = result.batches > 0;
      break;
    }
    result.batches += 1;
    result.rows += deleted;
    if (deleted < batchSize) break;
  }
  result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return result;
}
