import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * The first format: an E.164 number sealed with AES-256-GCM under one platform key (CONTACT_KEY),
 * `v1.<iv>.<tag>.<ciphertext>` (base64url). Deleting one person's data cannot make such a value
 * unreadable, so nothing seals with it any more: `ContactSealer` only opens old values with it
 * while they may still sit on topics or in tables (see docs/runbook.md, "Per-person keys").
 */
export class PlatformKeySealer {
  private readonly key: Buffer;

  /** `keyBase64`: 32 random bytes, base64. */
  constructor(keyBase64: string) {
    this.key = Buffer.from(keyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('contact key must be 32 bytes, base64-encoded');
  }

  static isLegacy(sealed: string): boolean {
    return sealed.startsWith(`${VERSION}.`);
  }

  seal(e164: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(e164, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  /** Throws if the value was not sealed with this key or was tampered with. */
  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || !data) throw new Error('not a sealed contact');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}
