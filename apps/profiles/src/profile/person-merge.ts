import { type ProfileState } from '@wt/profile-model';

/** One current consent of a person (a `consent_state` row). */
export interface ConsentChoice {
  purpose: string;
  businessId: string;
  status: 'granted' | 'revoked';
  occurredAt: Date;
  source: string;
}

/**
 * The consents of a person merged with those of a BSUID-only person found to be them
 * (`internal.identity.merges.v1`). A merge never widens a consent: per purpose and business, a
 * revocation on either side wins, whatever its date (the latest revocation is kept); a grant is kept
 * only where neither side revoked (the latest grant when both granted); a choice held on one side
 * only is the person's choice and stays. Pure.
 */
export function mergeConsents(from: readonly ConsentChoice[], into: readonly ConsentChoice[]): ConsentChoice[] {
  const merged = new Map<string, ConsentChoice>();
  for (const choice of [...into, ...from]) {
    const key = `${choice.purpose}\u0000${choice.businessId}`;
    const held = merged.get(key);
    if (!held) merged.set(key, choice);
    else if (held.status !== choice.status) merged.set(key, held.status === 'revoked' ? held : choice);
    else if (choice.occurredAt > held.occurredAt) merged.set(key, choice);
  }
  return [...merged.values()].sort((a, b) =>
    a.purpose === b.purpose ? (a.businessId < b.businessId ? -1 : 1) : a.purpose < b.purpose ? -1 : 1,
  );
}

/**
 * The profile fields a merge carries over that the day buckets do not hold: the number's person keeps
 * its own contact (a contact is sealed under its person's key, so the BSUID-only person's cannot be
 * reused), country and time zone come from it when known, and the customer-service windows opened by
 * either stay open until the later end. Pure.
 */
export function mergedProfileBase(from: ProfileState, into: ProfileState): ProfileState {
  const serviceWindows = { ...into.serviceWindows };
  for (const [number, until] of Object.entries(from.serviceWindows))
    if (!serviceWindows[number] || Date.parse(until) > Date.parse(serviceWindows[number])) serviceWindows[number] = until;
  return {
    ...into,
    country: into.country ?? from.country,
    timeZone: into.timeZone ?? from.timeZone,
    serviceWindows,
  };
}
