import { LRUCache } from 'lru-cache';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type PersonKey, type PersonKeyStore } from './person-keys';
import { PlatformKeySealer } from './platform-key-sealer';

const VERSION = 'v2';
const IV_BYTES = 12;
const PERSON_ID = /^[0-9a-f]{64}$/;
const KEY_VERSION = /^[1-9][0-9]{0,18}$/;

/** What opening a sealed contact gave: the number, or why not (`erased`: the person's key is gone). */
export type OpenedContact = { ok: true; e164: string } | { ok: false; reason: 'erased' | 'invalid' };

export interface ContactSealerOptions {
  /** The former platform key: opens `v1.` values sealed before per-person keys (migration only). */
  legacyKey?: string;
  /** How long a key stays cached (ms); 0 turns the cache off. A key erased elsewhere may still seal or open here that long. */
  cacheTtlMs?: number;
  /** Most keys cached. */
  cacheMax?: number;
}

/**
 * Envelope encryption of contacts (a phone number, or since 2026 a WhatsApp business-scoped user
 * id for a person who exposes no number: `addressOf` tells them apart once opened; the field is
 * still named `e164`) with one data key per person (crypto-shredding): a number
 * is sealed with AES-256-GCM under its person's key from the key vault, and the value names that
 * key: `v2.<personId>.<keyVersion>.<iv>.<tag>.<ciphertext>` (base64url; the first three parts are
 * associated data, so a value cannot be moved to another person or key). Erasure deletes the
 * person's keys, after which every copy, on any topic or in any table, fails to open (`erased`).
 *
 * Keys are fetched for a whole batch in one vault round trip and kept in a bounded cache with a
 * short TTL. Callers that must not act on an erased person (the dispatcher before sending) open
 * with `fresh: true`, which asks the vault and never trusts the cache.
 */
export class ContactSealer {
  private readonly cache: LRUCache<string, PersonKey> | undefined;
  private readonly legacy: PlatformKeySealer | undefined;

  constructor(
    private readonly store: PersonKeyStore,
    options: ContactSealerOptions = {},
  ) {
    const ttl = options.cacheTtlMs ?? 30_000;
    this.cache = ttl > 0 ? new LRUCache<string, PersonKey>({ max: options.cacheMax ?? 100_000, ttl, ttlAutopurge: false }) : undefined;
    this.legacy = options.legacyKey ? new PlatformKeySealer(options.legacyKey) : undefined;
  }

  /** Seals each number under its person's current key (created if the person has none): at most one vault round trip. */
  async sealAll(items: readonly { personId: string; e164: string }[]): Promise<string[]> {
    if (items.length === 0) return [];
    const keys = await this.currentKeys(items.map((i) => i.personId));
    // One draw from the CSPRNG for the whole batch's IVs: a call per value cost ≈ 8 % of ingest's CPU.
    const ivs = randomBytes(IV_BYTES * items.length);
    return items.map(({ personId, e164 }, i) => {
      const key = keys.get(personId);
      if (!key) throw new Error('key vault returned no key for a person');
      return sealWith(key, e164, ivs.subarray(i * IV_BYTES, (i + 1) * IV_BYTES));
    });
  }

  async seal(personId: string, e164: string): Promise<string> {
    const [sealed] = await this.sealAll([{ personId, e164 }]);
    return sealed as string;
  }

  /**
   * Opens each value: one vault round trip for the keys not cached (none with `fresh`, which always asks).
   * A vault failure throws (retry later); it is never reported as `erased`.
   */
  async openAll(sealed: readonly string[], options: { fresh?: boolean } = {}): Promise<OpenedContact[]> {
    const parsed = sealed.map(parse);
    const wanted = new Map<string, { personId: string; version: string }>();
    for (const p of parsed) if (p && p.kind === 'v2' && (options.fresh || !this.cache?.has(cacheKey(p)))) wanted.set(cacheKey(p), p);
    const found = new Map<string, PersonKey>();
    if (wanted.size > 0) {
      for (const key of await this.store.findKeys([...wanted.values()])) {
        found.set(cacheKey(key), key);
        this.cache?.set(cacheKey(key), key);
      }
    }
    return parsed.map((p, i): OpenedContact => {
      if (!p) return { ok: false, reason: 'invalid' };
      if (p.kind === 'v1') {
        if (!this.legacy) return { ok: false, reason: 'invalid' };
        try {
          return { ok: true, e164: this.legacy.open(sealed[i] as string) };
        } catch {
          return { ok: false, reason: 'invalid' };
        }
      }
      const key = options.fresh ? found.get(cacheKey(p)) : (found.get(cacheKey(p)) ?? this.cache?.get(cacheKey(p)));
      if (!key) return { ok: false, reason: 'erased' };
      try {
        return { ok: true, e164: openWith(key, p) };
      } catch {
        return { ok: false, reason: 'invalid' };
      }
    });
  }

  async open(sealed: string, options: { fresh?: boolean } = {}): Promise<OpenedContact> {
    const [opened] = await this.openAll([sealed], options);
    return opened as OpenedContact;
  }

  /** Drops cached keys of these people (this process learnt they were erased). */
  forget(personIds: readonly string[]): void {
    if (!this.cache) return;
    const gone = new Set(personIds);
    for (const key of [...this.cache.keys()]) if (gone.has(key.slice(0, 64))) this.cache.delete(key);
    for (const id of personIds) this.cache.delete(`current:${id}`);
  }

  private async currentKeys(personIds: readonly string[]): Promise<Map<string, PersonKey>> {
    const keys = new Map<string, PersonKey>();
    const missing: string[] = [];
    for (const id of new Set(personIds)) {
      if (!PERSON_ID.test(id)) throw new Error('personId must be 64 hex characters');
      const cached = this.cache?.get(`current:${id}`);
      if (cached) keys.set(id, cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const key of await this.store.keysFor(missing)) {
        keys.set(key.personId, key);
        this.cache?.set(`current:${key.personId}`, key);
        this.cache?.set(cacheKey(key), key);
      }
    }
    return keys;
  }
}

interface ParsedV2 {
  kind: 'v2';
  personId: string;
  version: string;
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
}

const cacheKey = (k: { personId: string; version: string }) => `${k.personId}.${k.version}`;

function parse(sealed: string): ParsedV2 | { kind: 'v1' } | undefined {
  if (typeof sealed !== 'string') return undefined;
  if (PlatformKeySealer.isLegacy(sealed)) return { kind: 'v1' };
  const [version, personId, keyVersion, iv, tag, data, extra] = sealed.split('.');
  if (version !== VERSION || extra !== undefined || !personId || !keyVersion || !iv || !tag || !data) return undefined;
  if (!PERSON_ID.test(personId) || !KEY_VERSION.test(keyVersion)) return undefined;
  return {
    kind: 'v2',
    personId,
    version: keyVersion,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    data: Buffer.from(data, 'base64url'),
  };
}

/** Per key: the header of its values and the same bytes as associated data, made once, not per value. */
const headers = new WeakMap<PersonKey, { text: string; aad: Buffer }>();

/** A fresh random 96-bit IV per value (GCM's recommended size; never reused under one key). */
function sealWith(key: PersonKey, e164: string, iv: Buffer): string {
  let header = headers.get(key);
  if (!header) {
    const text = `${VERSION}.${key.personId}.${key.version}`;
    header = { text, aad: Buffer.from(text, 'utf8') };
    headers.set(key, header);
  }
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(header.aad);
  const head = cipher.update(e164, 'utf8');
  const tail = cipher.final(); // empty: GCM is a stream mode
  const data = tail.length === 0 ? head : Buffer.concat([head, tail]);
  return `${header.text}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${data.toString('base64url')}`;
}

function openWith(key: PersonKey, p: ParsedV2): string {
  const decipher = createDecipheriv('aes-256-gcm', key.key, p.iv);
  decipher.setAAD(Buffer.from(`${VERSION}.${p.personId}.${p.version}`, 'utf8'));
  decipher.setAuthTag(p.tag);
  return Buffer.concat([decipher.update(p.data), decipher.final()]).toString('utf8');
}
