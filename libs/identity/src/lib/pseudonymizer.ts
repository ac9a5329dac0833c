import { createHmac } from 'node:crypto';

/**
 * A person's identifier inside the platform: HMAC-SHA256 of the E.164 number under a secret.
 * Without the secret it cannot be reversed nor recomputed from a guessed number.
 */
export class Pseudonymizer {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('pseudonym secret must be at least 32 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  personId(e164: string): string {
    return createHmac('sha256', this.key).update(e164).digest('hex');
  }

  /**
   * The personId of someone first known by a business-scoped user id (no number exposed). It is
   * never the digest of a number: a BSUID never starts with `+`.
   */
  personIdOfBusinessScopedUser(bsuid: string): string {
    return createHmac('sha256', this.key).update(bsuid).digest('hex');
  }

  /**
   * The pseudonym under which an identifier (a BSUID, a parent BSUID, or a number a person moved to)
   * is looked up in the identifier links: keyed by kind, so that it never equals a personId.
   */
  identifierDigest(kind: 'phone' | 'bsuid' | 'parent_bsuid', value: string): string {
    return createHmac('sha256', this.key).update(`identifier:${kind}:${value}`).digest('hex');
  }
}
