import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Thrown when a wrapped key names a key-encryption key this service does not hold: configuration, not erasure. */
export class UnknownKeyEncryptionKeyError extends Error {
  constructor(readonly kekId: string) {
    super(`no key-encryption key ${kekId} (VAULT_KEK / VAULT_KEK_PREVIOUS)`);
    this.name = 'UnknownKeyEncryptionKeyError';
  }
}

function decode(name: string, base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error(`${name} must be 32 bytes, base64-encoded`);
  return key;
}

/** Identifier of a key-encryption key (stored beside each wrapped key): a hash prefix, never the key. */
export function kekIdOf(key: Buffer): string {
  return createHash('sha256').update('wt-kek-id').update(key).digest('hex').slice(0, 16);
}

/**
 * The key-encryption keys (KEK) that wrap the per-person data keys (AES-256-GCM, the personId as
 * associated data so a wrapped key cannot be moved to another person). `current` wraps new keys;
 * `previous` ones only unwrap, during a rotation. In production a KMS would hold the KEK and do
 * the wrapping (see docs/runbook.md).
 */
export class KeyEncryptionKeys {
  readonly currentId: string;
  private readonly current: Buffer;
  private readonly byId = new Map<string, Buffer>();

  constructor(currentBase64: string, previousBase64: readonly string[] = []) {
    this.current = decode('VAULT_KEK', currentBase64);
    this.currentId = kekIdOf(this.current);
    this.byId.set(this.currentId, this.current);
    for (const old of previousBase64) {
      const key = decode('VAULT_KEK_PREVIOUS', old);
      this.byId.set(kekIdOf(key), key);
    }
  }

  /** `iv(12) | tag(16) | wrapped key(32)` under the current KEK; `iv` must be fresh random bytes (one per wrap). */
  wrap(dataKey: Buffer, personId: string, iv: Buffer = randomBytes(12)): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.current, iv);
    cipher.setAAD(Buffer.from(personId, 'utf8'));
    const data = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]);
  }

  unwrap(wrapped: Buffer, kekId: string, personId: string): Buffer {
    const kek = this.byId.get(kekId);
    if (!kek) throw new UnknownKeyEncryptionKeyError(kekId);
    const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12));
    decipher.setAAD(Buffer.from(personId, 'utf8'));
    decipher.setAuthTag(wrapped.subarray(12, 28));
    return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
  }
}
