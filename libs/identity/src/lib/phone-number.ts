import { getTimezonesForCountry } from 'countries-and-timezones';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type PhoneNormalization = { ok: true; e164: string; country?: string } | { ok: false; reason: string };

const NATIONAL_HINT_MISSING = 'number is in national format and no country hint or default region applies';

/**
 * Parses a phone number written in any common form into E.164, with libphonenumber-js's full
 * metadata (it checks number ranges per country, not only lengths). National forms use the
 * event's country hint, else the configured default region.
 */
export function normalizePhone(input: string, countryHint?: string, defaultRegion?: string): PhoneNormalization {
  const region = (countryHint ?? defaultRegion)?.toUpperCase() as CountryCode | undefined;
  const trimmed = input.trim();
  const international = trimmed.startsWith('+') || trimmed.startsWith('00');
  if (!international && !region) return { ok: false, reason: NATIONAL_HINT_MISSING };
  const parsed = parsePhoneNumberFromString(trimmed.startsWith('00') ? `+${trimmed.slice(2)}` : trimmed, region);
  if (!parsed) return { ok: false, reason: 'not a phone number' };
  if (!parsed.isValid()) return { ok: false, reason: `not a valid number${parsed.country ? ` for ${parsed.country}` : ''}` };
  return { ok: true, e164: parsed.number, country: parsed.country };
}

/**
 * The time zone to assume for a number's country: the country's only zone, or its most
 * populous one when it has several (countries-and-timezones lists that first).
 */
export function timeZoneForCountry(country: string | undefined): string | undefined {
  if (!country) return undefined;
  return getTimezonesForCountry(country)?.[0]?.name;
}
