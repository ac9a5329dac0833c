/**
 * Meta's WhatsApp error codes, each mapped to what the platform must do about it.
 * Meta advises building error handling on `code` (never on titles or HTTP status), so the
 * HTTP status only decides for codes this table does not know.
 */

/** What the platform does when a send is rejected or a message fails with a given code. */
export const WhatsAppErrorCategory = {
  /** Throughput or transient failure (rate limits, Meta unavailable, 5xx, timeouts): retry the same send soon, with backoff. */
  Retry: 'retry',
  /** Meta's per-user marketing limit (131049): retry this person later, with a growing interval (hours, then days). */
  RetryLater: 'retry-later',
  /** The person stopped marketing messages from this business (131050): record a consent revocation. */
  RevokeConsent: 'revoke-consent',
  /** The message could not be delivered to this person (131026): treat them as unreachable for a while. */
  MarkUnreachable: 'mark-unreachable',
  /** Free-form message outside the 24 h customer-service window (131047): never retry it; only a template can reach them. */
  RequireTemplate: 'require-template',
  /** Spam rate limit (131048): pause the business's campaigns; quality has to recover first. */
  PauseCampaigns: 'pause-campaigns',
  /** The account cannot send at all (invalid or expired token, blocked or unregistered number): stop sending and alert a human. */
  HaltSending: 'halt-sending',
  /** This message can never succeed as it is (invalid parameter, unknown template...): do not retry, report it. */
  Permanent: 'permanent',
} as const;
export type WhatsAppErrorCategory = (typeof WhatsAppErrorCategory)[keyof typeof WhatsAppErrorCategory];

export interface WhatsAppErrorCode {
  code: number;
  /** Meta's title for the code (informational: Meta will deprecate titles). */
  title: string;
  category: WhatsAppErrorCategory;
}

const C = WhatsAppErrorCategory;

const TABLE: ReadonlyArray<readonly [number, string, WhatsAppErrorCategory]> = [
  // Throughput and transient: retry soon.
  [1, 'API Unknown', C.Retry],
  [2, 'API Service', C.Retry],
  [4, 'API Too Many Calls', C.Retry],
  [80007, 'Rate limit issues', C.Retry],
  [130429, 'Rate limit hit', C.Retry],
  [131000, 'Something went wrong', C.Retry],
  [131016, 'Service unavailable', C.Retry],
  [131056, '(Business Account, Consumer Account) pair rate limit hit', C.Retry],
  [131057, 'Account in maintenance mode', C.Retry],
  [133004, 'Server temporarily unavailable', C.Retry],
  // One person, one consequence each.
  [131049, 'This message was not delivered to maintain healthy ecosystem engagement', C.RetryLater],
  [131050, 'User has stopped marketing messages', C.RevokeConsent],
  [131026, 'Message Undeliverable', C.MarkUnreachable],
  [131047, 'Re-engagement message', C.RequireTemplate],
  // The business.
  [131048, 'Spam rate limit hit', C.PauseCampaigns],
  [0, 'AuthException', C.HaltSending],
  [190, 'Access token has expired', C.HaltSending],
  [368, 'Temporarily blocked for policies violations', C.HaltSending],
  [131031, 'Account has been locked', C.HaltSending],
  [131042, 'Business eligibility payment issue', C.HaltSending],
  [133010, 'Phone number Not Registered', C.HaltSending],
  // This message.
  [3, 'API Method', C.Permanent],
  [10, 'Permission Denied', C.Permanent],
  [33, 'Parameter value is not valid', C.Permanent],
  [100, 'Invalid parameter', C.Permanent],
  [130472, "User's number is part of an experiment", C.Permanent],
  [131005, 'Access denied', C.Permanent],
  [131008, 'Required parameter is missing', C.Permanent],
  [131009, 'Parameter value is not valid', C.Permanent],
  [131021, 'Recipient cannot be sender', C.Permanent],
  [131030, 'Recipient phone number not in allowed list', C.Permanent],
  [131051, 'Unsupported message type', C.Permanent],
  [131052, 'Media download error', C.Permanent],
  [131053, 'Media upload error', C.Permanent],
  [132000, 'Template Param Count Mismatch', C.Permanent],
  [132001, 'Template does not exist', C.Permanent],
  [132005, 'Template Hydrated Text Too Long', C.Permanent],
  [132007, 'Template Format Character Policy Violated', C.Permanent],
  [132012, 'Template Parameter Format Mismatch', C.Permanent],
  [132015, 'Template is Paused', C.Permanent],
  [132016, 'Template is Disabled', C.Permanent],
];

/** Every code this platform knows, by code. */
export const WHATSAPP_ERROR_CODES: ReadonlyMap<number, WhatsAppErrorCode> = new Map(
  TABLE.map(([code, title, category]) => [code, Object.freeze({ code, title, category })]),
);

/**
 * What to do about an error: by Meta's code when known (`null` when the response carried no Graph
 * error); otherwise by HTTP status (429, 408 and 5xx are transient); otherwise permanent.
 */
export function classifyWhatsAppError(code: number | null | undefined, httpStatus?: number): WhatsAppErrorCategory {
  if (code !== null && code !== undefined) {
    const known = WHATSAPP_ERROR_CODES.get(code);
    if (known) return known.category;
    // 200-299: API permission errors.
    if (code >= 200 && code <= 299) return C.Permanent;
  }
  if (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429 || httpStatus === 408)) return C.Retry;
  return C.Permanent;
}

/** Meta's title for a code, or a neutral one for a code this table does not know. */
export function whatsAppErrorTitle(code: number): string {
  return WHATSAPP_ERROR_CODES.get(code)?.title ?? `WhatsApp error ${code}`;
}
