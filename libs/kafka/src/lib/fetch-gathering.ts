/**
 * Groups a fetch's partition batches (given by their sizes, in fetch order) into handler calls of
 * at most `maxRecords` records each, keeping order: many small batches become one call (one round
 * trip per effect, and a record waits for one call's work, not one per partition), while large
 * ones stay apart (one call per batch, as many at once as the server allows) so that a call's work
 * stays short and the calls of a busy fetch overlap their waits. A batch larger than `maxRecords`
 * makes a call on its own; a batch is never split (its partition's offset moves as a whole).
 */
export function gatherBatches(sizes: readonly number[], maxRecords: number): number[][] {
  return packInOrder(
    sizes.map((_, index) => index),
    (index) => sizes[index] as number,
    maxRecords,
  );
}

/**
 * Splits items, in order, into runs whose sizes add up to at most `max` (an item larger than `max`
 * makes a run on its own).
 */
export function packInOrder<T>(items: readonly T[], sizeOf: (item: T) => number, max: number): T[][] {
  const runs: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && total + size > max) {
      runs.push(current);
      current = [];
      total = 0;
    }
    current.push(item);
    total += size;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/** Runs `work` over `items` with at most `concurrency` in progress; rejects with the first failure. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
