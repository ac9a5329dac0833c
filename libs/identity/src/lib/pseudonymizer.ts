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
}
