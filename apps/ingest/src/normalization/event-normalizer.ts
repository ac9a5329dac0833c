import {
  type ConsentEventV1,
  type ConsentNormalizedV1,
  type DeadLetterReason,
  type EngagementEventV1,
  type EngagementNormalizedV1,
} from '@wt/contracts';
import { type ContactSealer, normalizePhone, type Pseudonymizer } from '@wt/identity';

export type Normalized<T> = { ok: true; value: T } | { ok: false; reason: DeadLetterReason; detail: string };

export interface NormalizerPolicy {
  defaultRegion?: string;
  maxAgeMs: number;
  maxFutureSkewMs: number;
}

/** Until `sealContacts` runs, a normalized value's contact is empty (never the number). */
const UNSEALED = '';

/**
 * Turns validated input events into the platform's internal form: the phone becomes a personId
 * and a sealed contact, the time is checked against the retention window. Sealing needs the
 * persons' keys from the key vault, so it is done for a whole batch at once: `engagement` and
 * `consent` leave the contact empty and remember the number (in memory only), `sealContacts`
 * then seals every value of the batch with one vault round trip.
 */
export class EventNormalizer {
  private readonly pending = new WeakMap<object, string>();
  /**
   * The batch's phones already normalized and pseudonymized (a person's events often come
   * together): libphonenumber and the HMAC once per distinct number and region. Emptied by
   * `sealContacts` at the end of each batch, so no number outlives its batch here.
   */
  private readonly phones = new Map<string, { phone: ReturnType<typeof normalizePhone>; personId?: string }>();

  constructor(
    private readonly pseudonymizer: Pseudonymizer,
    private readonly sealer: ContactSealer,
    private readonly policy: NormalizerPolicy,
  ) {}

  engagement(event: EngagementEventV1, now: Date): Normalized<EngagementNormalizedV1> {
    const timing = this.checkTime(event.occurredAt, now);
    if (timing) return timing;
    const { phone, personId } = this.person(event.phone, event.country);
    if (!phone.ok) return { ok: false, reason: 'invalid_phone', detail: `phone: ${phone.reason}` };
    return this.unsealed(phone.e164, {
      dedupeKey: `${event.source}:${event.eventId}`,
      personId: personId as string,
      contact: UNSEALED,
      source: event.source,
      type: event.type,
      occurredAt: new Date(event.occurredAt).toISOString(),
      categories: [...new Set(event.categories)],
      businessId: event.businessId,
      contentId: event.contentId,
      value: event.value,
      currency: event.currency,
      country: phone.country,
      ingestedAt: now.toISOString(),
    });
  }

  consent(event: ConsentEventV1, now: Date): Normalized<ConsentNormalizedV1> {
    if (Date.parse(event.occurredAt) - now.getTime() > this.policy.maxFutureSkewMs) {
      return { ok: false, reason: 'timestamp_in_future', detail: `occurredAt: later than now + ${this.policy.maxFutureSkewMs} ms` };
    }
    const { phone, personId } = this.person(event.phone, event.country);
    if (!phone.ok) return { ok: false, reason: 'invalid_phone', detail: `phone: ${phone.reason}` };
    return this.unsealed(phone.e164, {
      personId: personId as string,
      contact: UNSEALED,
      purpose: event.purpose,
      businessId: event.purpose === 'whatsapp_marketing' ? event.businessId : undefined,
      status: event.status,
      occurredAt: new Date(event.occurredAt).toISOString(),
      source: event.source,
      country: phone.country,
    });
  }

  /** The number in E.164 and its pseudonym, once per distinct (number, region hint) in the batch. */
  private person(raw: string, country: string | undefined): { phone: ReturnType<typeof normalizePhone>; personId?: string } {
    const key = `${raw}\u0000${country ?? ''}`;
    let known = this.phones.get(key);
    if (!known) {
      const phone = normalizePhone(raw, country, this.policy.defaultRegion);
      known = { phone, personId: phone.ok ? this.pseudonymizer.personId(phone.e164) : undefined };
      this.phones.set(key, known);
    }
    return known;
  }

  /** Seals the contact of each value normalized here: one key-vault round trip for the batch (none for cached keys). */
  async sealContacts(values: readonly { personId: string; contact: string }[]): Promise<void> {
    this.phones.clear();
    const todo = values.filter((v) => v.contact === UNSEALED && this.pending.has(v));
    if (todo.length === 0) return;
    const sealed = await this.sealer.sealAll(todo.map((v) => ({ personId: v.personId, e164: this.pending.get(v) as string })));
    todo.forEach((v, i) => {
      v.contact = sealed[i] as string;
      this.pending.delete(v);
    });
  }

  private unsealed<T extends { contact: string }>(e164: string, value: T): Normalized<T> {
    this.pending.set(value, e164);
    return { ok: true, value };
  }

  private checkTime(occurredAt: string, now: Date): Normalized<never> | undefined {
    const at = Date.parse(occurredAt);
    if (at - now.getTime() > this.policy.maxFutureSkewMs) {
      return { ok: false, reason: 'timestamp_in_future', detail: `occurredAt: later than now + ${this.policy.maxFutureSkewMs} ms` };
    }
    if (now.getTime() - at > this.policy.maxAgeMs) {
      return {
        ok: false,
        reason: 'timestamp_too_old',
        detail: `occurredAt: older than the ${this.policy.maxAgeMs / 86_400_000}-day retention window`,
      };
    }
    return undefined;
  }
}
