/**
 * Groups a fetch's partition batches (given by their sizes, in fetch order) into handler calls of
 * at most `maxRecords` records each, keeping order: many small batches become one call (one round
 * trip per effect, and a record waits for one call's work, not one per partition), while large
 * ones stay apart (one call per batch, as many at once as the server allows) so that a call's work
 * stays short and the calls of a busy fetch overlap their waits. A batch larger than `maxRecords`
 * makes a call on its own; a batch is never split (its partition's offset moves as a whole).
 */
export function gatherBatches(sizes: readonly number[], maxRecords: number): number[][] {
  const calls: number[][] = [];
  let current: number[] = [];
  let records = 0;
  sizes.forEach((size, index) => {
    if (current.length > 0 && records + size > maxRecords) {
      calls.push(current);
      current = [];
      records = 0;
    }
    current.push(index);
    records += size;
  });
  if (current.length > 0) calls.push(current);
  return calls;
}

/** Runs `work` over `items` with at most `concurrency` in progress; rejects with the first failure. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
