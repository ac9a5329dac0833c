import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header in which Meta signs every webhook POST (lower case, as Node exposes request headers). */
export const WEBHOOK_SIGNATURE_HEADER = 'x-hub-signature-256';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

function digest(rawBody: Buffer | string, appSecret: string): Buffer {
  if (!appSecret) throw new TypeError('A webhook signature needs a non-empty app secret');
  return createHmac('sha256', appSecret).update(rawBody).digest();
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the app secret, as Meta sends it in `X-Hub-Signature-256`. */
export function signWebhookBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${digest(rawBody, appSecret).toString('hex')}`;
}

/**
 * Whether `headerValue` is the signature of `rawBody` (the bytes as received, before any JSON parsing).
 * Compares in constant time; a missing, repeated or malformed header is simply not valid.
 */
export function verifyWebhookSignature(rawBody: Buffer | string, headerValue: string | string[] | undefined, appSecret: string): boolean {
  if (typeof headerValue !== 'string') return false;
  const match = SIGNATURE.exec(headerValue.trim());
  if (!match) return false;
  return timingSafeEqual(Buffer.from(match[1], 'hex'), digest(rawBody, appSecret));
}
