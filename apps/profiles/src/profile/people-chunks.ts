/**
 * Splits a batch into chunks of at most `maxPeople` distinct people, each person's items together
 * and in their order. A transaction takes one Postgres advisory lock per person it touches, and
 * Postgres's shared lock table is small (max_locks_per_transaction × max_connections, 6,400 slots
 * by default, shared by every session): a 1 MB fetch of small events can hold thousands of people,
 * and a replica works on several partitions at once. One transaction per chunk keeps each one's
 * locks bounded; splitting is safe because every chunk claims its events' dedupe keys in its own
 * transaction, so a crash between two chunks' commits replays the batch and the first chunk's
 * events are skipped as duplicates.
 */
export function chunkByPeople<T>(items: readonly T[], personOf: (item: T) => string, maxPeople: number): T[][] {
  if (!Number.isInteger(maxPeople) || maxPeople < 1) throw new RangeError(`maxPeople must be a positive integer, got ${maxPeople}`);
  const byPerson = new Map<string, T[]>();
  for (const item of items) {
    const person = personOf(item);
    const own = byPerson.get(person);
    if (own) own.push(item);
    else byPerson.set(person, [item]);
  }
  if (byPerson.size <= maxPeople) return items.length > 0 ? [[...items]] : [];
  const chunks: T[][] = [];
  let current: T[] = [];
  let people = 0;
  for (const own of byPerson.values()) {
    if (people === maxPeople) {
      chunks.push(current);
      current = [];
      people = 0;
    }
    current.push(...own);
    people++;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
