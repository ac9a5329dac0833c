import { createHash } from 'node:crypto';

/** A uniform number in [0, 1) fixed by its parts: the same parts always give the same number. */
export function hashUnit(...parts: readonly (string | number)[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  // 53 bits, the precision of a double.
  return (digest.readUInt32BE(0) * 2 ** 21 + (digest.readUInt32BE(4) >>> 11)) / 2 ** 53;
}

/** A deterministic stream of uniform numbers in [0, 1) (mulberry32) seeded from a hash of its parts. */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  return mulberry32(createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0));
}

/** A small deterministic PRNG (mulberry32): uniform numbers in [0, 1), the same for the same 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A number in [min, max) from a uniform draw. */
export function between(random: () => number, min: number, max: number): number {
  return min + random() * (max - min);
}

/** One of `items`, uniformly. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** One of `items`, in proportion to its weight. */
export function weighted<T>(random: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let left = random() * total;
  for (const [item, weight] of items) if ((left -= weight) < 0) return item;
  return (items[items.length - 1] as readonly [T, number])[0];
}
