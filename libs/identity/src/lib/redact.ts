/**
 * Something written like a phone number: optional +, then digits with spaces, dots, dashes or
 * parentheses; or a UUID (a Kafka member id, a request id), tried first at each position and kept as it
 * is: its digit runs are not phone numbers.
 */
const PHONE_LIKE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\+?\(?\d[\d\s().-]{5,}\d/gi;
const UUID = /^[0-9a-f]{8}-/i;
/** ISO dates and times are not phone numbers. */
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}|^\d{2}:\d{2}/;

/** Masks anything that looks like a phone number (8 to 15 digits) in free text. */
export function redactPhones(text: string): string {
  return text.replace(PHONE_LIKE, (match) => {
    const digits = match.replace(/\D/g, '').length;
    return digits >= 8 && digits <= 15 && !DATE_LIKE.test(match) && !UUID.test(match) ? '[phone]' : match;
  });
}

/** A business-scoped user id or parent id (`US.1349...`, `US.ENT.1181...`) anywhere in free text. */
const BSUID_LIKE = /\b[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]*\d[A-Za-z0-9]*\b/g;

/** Masks phone numbers and business-scoped user ids in free text (a log line, a dead letter's detail). */
export function redactIdentifiers(text: string): string {
  return redactPhones(text).replace(BSUID_LIKE, '[bsuid]');
}
