const DIGIT_0 = 48;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by the ASCII digits of `s` from `start` (inclusive) to `end` (exclusive), or -1 if any is not a digit. */
function digits(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Whether `value` is an instant as `Date.prototype.toISOString` writes it, in UTC, with a real
 * calendar date: `YYYY-MM-DDTHH:MM:SS`, optional `.` and fraction digits, then `Z`, year 1000 to
 * 9999. Every such string is accepted by class-validator's `@IsISO8601({ strict: true })`
 * (validator.js's `isISO8601` with `strict`), so a `true` here lets the compiled validator skip
 * that constraint; `false` says nothing (offsets, week or ordinal dates, a lower-case `z` are valid
 * ISO 8601 too): the constraint itself decides then. Allocates nothing: it is on every record's path.
 * `utc-instant.spec.ts` checks it against validator.js on generated and hostile strings.
 */
export function isCanonicalUtcInstant(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const length = value.length;
  if (length < 20 || value.charCodeAt(length - 1) !== 90 /* Z */) return false;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T' || value[13] !== ':' || value[16] !== ':') return false;
  if (length > 20 && (value[19] !== '.' || length === 21 || digits(value, 20, length - 1) < 0)) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  const hour = digits(value, 11, 13);
  const minute = digits(value, 14, 16);
  const second = digits(value, 17, 19);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
    return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}
