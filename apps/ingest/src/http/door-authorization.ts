import { type ApiKeyPrincipal } from '@wt/business-auth';
import { type ConsentAttribution } from '../normalization/event-normalizer';

/**
 * What an API key may send through ingest's HTTP doors, beyond its scope (checked by the guard):
 * a business key writes consents of its own business only, a producer key engagement events of its
 * own source only. One item for someone else refuses the whole request (403), so that nothing of it
 * is published: the caller has a bug or is impersonating, and either way must look.
 * Returns the reason to answer, or undefined when the key may send all of them.
 */
export function consentRefusal(items: readonly unknown[], key: ApiKeyPrincipal): string | undefined {
  if (!key.businessId) return `this API key (${key.keyId}) belongs to no business; consents need a business key`;
  for (const [index, item] of items.entries()) {
    const businessId = fieldOf(item, 'businessId');
    if (businessId !== undefined && businessId !== key.businessId) {
      return `consents[${index}] is for business "${businessId}", but this API key (${key.keyId}) is business "${key.businessId}"'s: a business writes its own consents only; nothing was accepted`;
    }
  }
  return undefined;
}

export function engagementRefusal(items: readonly unknown[], key: ApiKeyPrincipal): string | undefined {
  if (!key.source) return `this API key (${key.keyId}) is bound to no source; engagement events need a producer key`;
  for (const [index, item] of items.entries()) {
    const source = fieldOf(item, 'source');
    if (source !== undefined && source !== key.source) {
      return `events[${index}] comes from source "${source}", but this API key (${key.keyId}) is the producer key of "${key.source}": a producer sends its own source's events only; nothing was accepted`;
    }
  }
  return undefined;
}

/** The attribution of consents sent with `key` over HTTP. */
export function httpAttribution(key: ApiKeyPrincipal): ConsentAttribution {
  return { assertedVia: 'http_api', assertedBy: key.businessId ?? key.source ?? 'unidentified', assertedKeyId: key.keyId };
}

/** A string field of an item (anything else is left to the contract's validation, item by item). */
function fieldOf(item: unknown, field: string): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const value = (item as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}
