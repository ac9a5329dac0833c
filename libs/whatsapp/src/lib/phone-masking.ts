/**
 * A phone number as it may appear in a log line: its last two digits, nothing more
 * (`+4915112345678` becomes `…78`). Phone numbers are personal data and never logged in clear.
 */
export function maskPhoneNumber(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 6 ? `…${digits.slice(-2)}` : '…';
}
