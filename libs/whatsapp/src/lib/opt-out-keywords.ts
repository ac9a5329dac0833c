/**
 * The words that, sent alone, ask a business to stop its marketing messages (French and English),
 * folded: lower case, no accents. `ARRÊT` and `DÉSABONNER` fold to `arret` and `desabonner`.
 */
export const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set(['stop', 'arret', 'unsubscribe', 'desabonner']);

/** Combining marks (accents), left alone by NFKD decomposition. */
const MARKS = /\p{M}+/gu;
/** Spaces and punctuation around the word: `  Stop!` is a STOP, `stop sending me this` is not. */
const AROUND = /^[\s\p{P}]+|[\s\p{P}]+$/gu;

/**
 * True when the whole message is an opt-out keyword, whatever its case and accents, trimmed of
 * spaces and punctuation. A word inside a longer message never is: "how do I stop my order?" is a
 * question, not an opt-out.
 */
export function isOptOutMessage(text: string | undefined): boolean {
  if (!text || text.length > 64) return false;
  const folded = text.normalize('NFKD').replace(MARKS, '').toLowerCase().replace(AROUND, '');
  return OPT_OUT_KEYWORDS.has(folded);
}
