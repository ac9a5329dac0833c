import { isISO8601 } from 'class-validator';
import { isCanonicalUtcInstant } from './utc-instant';

/** What `@IsISO8601({ strict: true })` decides (class-validator's own function, validator.js inside). */
const strictIso = (value: unknown) => isISO8601(value, { strict: true });

/** A small deterministic generator (mulberry32): the same strings on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('isCanonicalUtcInstant (the compiled validator shortcut for @IsISO8601({ strict: true }))', () => {
  it('accepts what Date.prototype.toISOString writes, as validator.js does', () => {
    const next = random(1);
    for (let i = 0; i < 20_000; i++) {
      // 1000-01-01 to 9999-12-31, any millisecond.
      const at = new Date(-30_610_224_000_000 + Math.floor(next() * 283_427_712_000_000)).toISOString();
      expect([at, isCanonicalUtcInstant(at)]).toEqual([at, true]);
      expect([at, strictIso(at)]).toEqual([at, true]);
    }
  });

  it('never accepts what validator.js refuses: generated fields, out-of-range and impossible dates (hostile strings on purpose)', () => {
    const next = random(2);
    const pick = (max: number) => Math.floor(next() * max);
    let accepted = 0;
    let refusedByBoth = 0;
    for (let i = 0; i < 100_000; i++) {
      // Each field drawn past its range now and then (month 13, day 31 of a 30-day month, 29 February, hour 24, second 60).
      const year = [pick(10_000), 1900 + pick(200), 2000, 2100, 2024, 2025][pick(6)] as number;
      let text = `${pad(year, 4)}-${pad(pick(14), 2)}-${pad(pick(33), 2)}T${pad(pick(26), 2)}:${pad(pick(62), 2)}:${pad(pick(62), 2)}`;
      if (pick(3) === 0) text += `.${String(pick(10_000_000)).slice(0, 1 + pick(7))}`;
      text += ['Z', 'Z', 'Z', 'z', '+02:00', '', '.Z', 'Z ', ' Z'][pick(9)];
      // Now and then one character replaced by another (separators, digits, letters, a full-width digit).
      if (pick(4) === 0) {
        const at = pick(text.length);
        text = text.slice(0, at) + ['-', ':', 'T', ' ', 'x', '5', '\uff15', '.', ''][pick(9)] + text.slice(at + 1);
      }
      const fast = isCanonicalUtcInstant(text);
      const slow = strictIso(text);
      if (fast && !slow) throw new Error(`accepted what validator.js refuses: ${JSON.stringify(text)}`);
      if (fast) accepted += 1;
      else if (!slow) refusedByBoth += 1;
    }
    // Both kinds occur: the generator reaches both sides of the line.
    expect(accepted).toBeGreaterThan(10_000);
    expect(refusedByBoth).toBeGreaterThan(10_000);
  });

  it.each([
    ['2026-02-29T10:00:00Z', 'a 29 February outside a leap year'],
    ['2100-02-29T10:00:00Z', 'a 29 February of a century that is not a leap year'],
    ['2026-04-31T10:00:00Z', 'a 31st of a 30-day month'],
    ['2026-13-01T10:00:00Z', 'month 13'],
    ['2026-00-10T10:00:00Z', 'month 0'],
    ['2026-11-00T10:00:00Z', 'day 0'],
    ['2026-11-28T24:00:01Z', 'hour 24'],
    ['2026-11-28T10:60:00Z', 'minute 60'],
    ['2026-11-28T10:00:00.Z', 'a point without fraction digits'],
    ['2026-11-28T10:00:00.1xZ', 'a letter in the fraction'],
    ['2026-11-28T10:00:00Z\n', 'a trailing newline'],
    ['\uff12026-11-28T10:00:00Z', 'a full-width digit'],
    ['2026-11-28', 'a date without a time'],
  ])('refuses %j (%s), as validator.js does, or leaves it to validator.js', (text) => {
    expect(isCanonicalUtcInstant(text)).toBe(false);
  });

  it('leaves valid ISO 8601 it does not read to validator.js (not accepted here, accepted there)', () => {
    for (const text of [
      '2026-11-28T10:00:00+02:00',
      '2026-11-28T10:00:00z',
      '2026-11-28T10:00Z',
      '2026-W48-6',
      '2026-332',
      '2026-11-28 10:00:00Z',
    ]) {
      expect([text, isCanonicalUtcInstant(text), strictIso(text)]).toEqual([text, false, true]);
    }
  });

  it('is false for what is not a string (hostile types on purpose)', () => {
    for (const value of [undefined, null, 20261128, true, {}, [], ['2026-11-28T10:00:00Z'], new Date('2026-11-28T10:00:00Z')])
      expect(isCanonicalUtcInstant(value)).toBe(false);
  });
});
