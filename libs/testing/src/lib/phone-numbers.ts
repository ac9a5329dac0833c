import { randomInt } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A random French mobile number that libphonenumber-js (full metadata) accepts: about one random
 * 06 number in eleven falls in an unallocated range, and a test must not fail on that.
 */
export function randomFrenchMobile(): { e164: string; national: string; digits: string } {
  for (;;) {
    const rest = String(randomInt(10_000_000, 99_999_999));
    const parsed = parsePhoneNumberFromString(`+336${rest}`);
    if (parsed?.isValid()) return { e164: parsed.number, national: `06${rest}`, digits: parsed.number.slice(1) };
  }
}
