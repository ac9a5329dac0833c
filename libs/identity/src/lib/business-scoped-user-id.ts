/**
 * WhatsApp's business-scoped user ids (BSUID, since 2026): Meta's identifier of a WhatsApp user
 * within one business portfolio, `CC.<up to 128 alphanumerics>` (e.g. `US.13491208655302741918`),
 * and the parent BSUID shared by the portfolios of an enrolled business, `CC.ENT.<alphanumerics>`.
 * A user who adopts a username may expose only these, not a phone number; a user who changes
 * number gets a new BSUID. Both are personal data, like a phone: pseudonymized for lookups
 * (`Pseudonymizer.identifierDigest`), sealed at rest (`ContactSealer`), never logged nor used as a key.
 */
export const BUSINESS_SCOPED_USER_ID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;
export const PARENT_BUSINESS_SCOPED_USER_ID = /^[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}$/;

/** The ways a WhatsApp user is known to a business: a phone (E.164), a BSUID, a parent BSUID. */
export type PersonIdentifierKind = 'phone' | 'bsuid' | 'parent_bsuid';

export function isBusinessScopedUserId(value: unknown): value is string {
  return typeof value === 'string' && BUSINESS_SCOPED_USER_ID.test(value);
}

export function isParentBusinessScopedUserId(value: unknown): value is string {
  return typeof value === 'string' && PARENT_BUSINESS_SCOPED_USER_ID.test(value);
}

/**
 * What a sealed contact holds once opened: a phone number (E.164, always `+` first) or a BSUID
 * (two capital letters first). The two forms never overlap, so a value sealed before BSUIDs
 * existed (a number) reads as before.
 */
export type WhatsAppAddress = { kind: 'phone'; e164: string } | { kind: 'bsuid'; bsuid: string };

export function addressOf(opened: string): WhatsAppAddress | undefined {
  if (/^\+[1-9]\d{6,14}$/.test(opened)) return { kind: 'phone', e164: opened };
  if (isBusinessScopedUserId(opened) || isParentBusinessScopedUserId(opened)) return { kind: 'bsuid', bsuid: opened };
  return undefined;
}
