/** Masks anything that looks like a phone number (7+ digits, with common separators) in free text. */
export function redactPhones(text: string): string {
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, (match) => (match.replace(/\D/g, '').length >= 7 ? '[phone]' : match));
}
