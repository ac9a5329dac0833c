import { randomFillSync } from 'node:crypto';

/** Bytes drawn from the CSPRNG at once: one call per ~170 ids instead of one per id. */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * `bytes` random bytes from the CSPRNG, encoded: the same randomness as `randomBytes(bytes)`, taken
 * from a pool refilled 4 KiB at a time (the sandbox makes two ids per accepted send; a call to the
 * CSPRNG each was 2 % of its CPU at 1,000 sends a second). Each byte is used once.
 */
export function randomId(bytes: number, encoding: 'base64url' | 'hex'): string {
  if (used + bytes > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(Math.max(POOL_BYTES, bytes)));
    used = 0;
  }
  const id = pool.toString(encoding, used, used + bytes);
  used += bytes;
  return id;
}

/** A message id as Meta gives them: `wamid.` and 24 random bytes in base64url. */
export function newWamid(): string {
  return `wamid.${randomId(24, 'base64url')}`;
}
