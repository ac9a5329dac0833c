/**
 * Rows of an `UPDATE/DELETE ... RETURNING` run through TypeORM's `query()`: on Postgres it
 * answers `[rows, rowCount]` for UPDATE and DELETE but plain `rows` for INSERT and SELECT.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
