/**
 * SQL literals for statements sent through the simple query protocol, which may hold several
 * statements in one round trip but takes no bind parameters. Every value goes through `sqlString`,
 * which is correct whatever `standard_conforming_strings` says: quotes are doubled, and a string
 * holding a backslash becomes an escape string (E'...') with its backslashes doubled.
 */
export function sqlString(value: string): string {
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** A text array literal (`'{"a","b",NULL}'`), to be cast to its element type, e.g. `::text[]`. */
export function sqlTextArray(values: readonly (string | null)[]): string {
  const elements = values.map((v) => (v === null ? 'NULL' : `"${v.replace(/[\\"]/g, '\\$&')}"`));
  return sqlString(`{${elements.join(',')}}`);
}

/** A value as a JSON text literal, to be cast `::json` or `::jsonb`. */
export function sqlJson(value: unknown): string {
  return sqlString(JSON.stringify(value));
}
