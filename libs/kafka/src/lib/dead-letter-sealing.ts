import { type DeadLetterV1, PERSON_ID } from '@wt/contracts';
import { type ContactSealer, normalizePhone, type Pseudonymizer } from '@wt/identity';
import { createHash } from 'node:crypto';

/** The personId a record is about, if it names one (`undefined`: it goes under the day's dead-letter key). */
export type PersonOf = (originTopic: string, value: Buffer) => string | undefined;

/** What a dead letter keeps sealed: the original value (base64) and every original header. */
export interface SealedOriginal {
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

export type OpenedOriginal = ({ ok: true } & SealedOriginal) | { ok: false; reason: 'erased' | 'invalid' };

/**
 * Days a dead-letter key lives: the dead-letter topic keeps records 30 days, the key one more, then
 * `wt dead-letters shred-keys` destroys it (and with it every copy of what it sealed, wherever it went).
 */
export const DEAD_LETTER_KEY_DAYS = 31;

const DAY_MS = 86_400_000;

/**
 * The key owner for records that name no person, one per UTC day: a 64-hex id in the key vault
 * (derived, so that every service seals a day's dead letters under the same key without a lookup).
 */
export function deadLetterKeyOwner(at: Date): string {
  return createHash('sha256')
    .update(`wt-dead-letter-key:${at.toISOString().slice(0, 10)}`)
    .digest('hex');
}

/** The dead-letter key owners of the `lookbackDays` days before the last `keepDays`: those to destroy. */
export function expiredDeadLetterKeyOwners(now: Date, keepDays = DEAD_LETTER_KEY_DAYS, lookbackDays = 400): string[] {
  return Array.from({ length: lookbackDays }, (_, i) => deadLetterKeyOwner(new Date(now.getTime() - (keepDays + 1 + i) * DAY_MS)));
}

function parseObject(value: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The default: a record's `personId` field (every internal topic about a person has one). */
export const personIdInPayload: PersonOf = (_topic, value) => {
  const personId = parseObject(value)?.['personId'];
  return typeof personId === 'string' && PERSON_ID.test(personId) ? personId : undefined;
};

/**
 * For a service that reads public inputs (a `phone`, an optional `country`): the person the number
 * belongs to, pseudonymized as ingest does, so that erasing them also makes their dead letters
 * unreadable. A record whose number does not parse falls back to `personId`, then to the day key.
 */
export function phoneOwner(pseudonymizer: Pseudonymizer, defaultRegion?: string): PersonOf {
  return (topic, value) => {
    const payload = parseObject(value);
    const phone = payload?.['phone'];
    const country = payload?.['country'];
    if (typeof phone === 'string') {
      const normalized = normalizePhone(phone, typeof country === 'string' ? country : undefined, defaultRegion);
      if (normalized.ok) return pseudonymizer.personId(normalized.e164);
    }
    return personIdInPayload(topic, value);
  };
}

/**
 * Seals the originals dead letters keep, with the key vault's per-person keys (ContactSealer's
 * format, AES-256-GCM; the sealed text is `{"value": base64, "headers": {...}}`): under the
 * person's key when `personOf` finds one, else under the day's dead-letter key. Erasing a person
 * (their keys destroyed) makes their dead letters unreadable; destroying a day's key does the same
 * for that day's other dead letters.
 *
 * Give one to KafkaBatchServer (runService does when the service has the key vault), and open
 * dead letters with `open` (the replay command does).
 */
export class DeadLetterSealer {
  constructor(
    private readonly sealer: ContactSealer,
    private readonly personOf: PersonOf = personIdInPayload,
  ) {}

  /** One vault round trip for the batch; a vault failure throws (the batch comes again). */
  async sealAll(items: readonly ({ originTopic: string } & SealedOriginal)[], now = new Date()): Promise<string[]> {
    const dayKey = deadLetterKeyOwner(now);
    return this.sealer.sealAll(
      items.map((item) => ({
        personId: this.personOf(item.originTopic, item.value) ?? dayKey,
        e164: JSON.stringify({ value: item.value.toString('base64'), headers: item.headers }),
      })),
    );
  }

  /** Opens sealed originals; `erased` when the key is gone (person erased, or the day key expired). */
  async openAll(sealed: readonly string[], options: { fresh?: boolean } = {}): Promise<OpenedOriginal[]> {
    const opened = await this.sealer.openAll(sealed, options);
    return opened.map((o): OpenedOriginal => {
      if (!o.ok) return o;
      const parsed = parseObject(Buffer.from(o.e164, 'utf8'));
      const value = parsed?.['value'];
      const headers = parsed?.['headers'];
      if (typeof value !== 'string' || typeof headers !== 'object' || headers === null) return { ok: false, reason: 'invalid' };
      return { ok: true, value: Buffer.from(value, 'base64'), headers: headers as Record<string, string> };
    });
  }

  /**
   * The original of one dead letter: opened when sealed, decoded when an older letter kept it in
   * clear, `withheld` when the service that wrote it had no key vault.
   */
  async openLetter(letter: DeadLetterV1, options: { fresh?: boolean } = {}): Promise<OpenedOriginal | { ok: false; reason: 'withheld' }> {
    if (letter.sealedPayload) return (await this.openAll([letter.sealedPayload], options))[0] as OpenedOriginal;
    if (letter.payloadBase64 !== '') return { ok: true, value: Buffer.from(letter.payloadBase64, 'base64'), headers: letter.headers };
    return { ok: false, reason: 'withheld' };
  }
}
