/**
 * Checks of a JSON request body that no DTO repeats: how deep it nests (on the raw bytes, before
 * parsing), and what its parsed values hold (NUL, lone surrogates, numbers out of range, keys that
 * pollute prototypes). Plain functions, no recursion: a hostile body cannot exhaust the stack.
 */

/** Deepest nesting of objects and arrays a body may have (`{"a":[1]}` is 2). */
export const MAX_JSON_DEPTH = 32;
/** Largest magnitude of a JSON number: beyond it, integers lose precision (2^53 - 1). */
export const MAX_JSON_NUMBER = Number.MAX_SAFE_INTEGER;
/** Keys refused anywhere in a body: assigning them pollutes prototypes in careless code. */
export const FORBIDDEN_JSON_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Machine-readable reason of a refused input (the `reason` of the JSON error body). */
export type InputProblemReason =
  | 'malformed_json'
  | 'too_deep'
  | 'nul_character'
  | 'lone_surrogate'
  | 'number_out_of_range'
  | 'forbidden_key'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'malformed_url';

export interface InputProblem {
  reason: InputProblemReason;
  /** Says what is wrong and where (a JSON path such as `$.events[3].phone`), never the value. */
  message: string;
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The first place where `json` nests deeper than `maxDepth`, read from the bytes alone (strings
 * skipped, escapes honoured), in one pass; undefined when it does not. Malformed JSON is left to
 * the parser.
 */
export function jsonDepthProblem(json: Buffer | string, maxDepth = MAX_JSON_DEPTH): InputProblem | undefined {
  return scanJson(json, maxDepth).problem;
}

export interface JsonScan {
  problem?: InputProblem;
  /**
   * Whether a string holds a `\u0000` or `\uD800`-`\uDFFF` escape: only those can make NUL or a lone
   * surrogate (a raw NUL byte is not valid JSON, and invalid UTF-8 decodes to U+FFFD), so without
   * one the parsed strings need no check.
   */
  suspectEscapes: boolean;
}

/** One pass over the bytes: the depth, and whether strings need checking (see JsonScan). */
export function scanJson(json: Buffer | string, maxDepth = MAX_JSON_DEPTH): JsonScan {
  const bytes = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  let depth = 0;
  let inString = false;
  let suspectEscapes = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) {
        if (!suspectEscapes && bytes[i + 1] === LOWER_U && isSuspectEscape(bytes, i + 2)) suspectEscapes = true;
        i++;
      } else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) {
        return {
          problem: { reason: 'too_deep', message: `the JSON body nests deeper than ${maxDepth} levels (at byte ${i})` },
          suspectEscapes,
        };
      }
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return { suspectEscapes };
}

const LOWER_U = 0x75;
const ZERO = 0x30;

/** `0000`, or `D8`-`DF` followed by two hex digits (either case), at `at`. */
function isSuspectEscape(bytes: Buffer, at: number): boolean {
  const first = bytes[at] | 0x20;
  const second = bytes[at + 1] | 0x20;
  if (first === 0x64 /* d */) return (second >= 0x38 && second <= 0x39) || (second >= 0x61 && second <= 0x66);
  return bytes[at] === ZERO && bytes[at + 1] === ZERO && bytes[at + 2] === ZERO && bytes[at + 3] === ZERO;
}

/**
 * The first value of a parsed body that cannot be stored or trusted as it is: a string or key
 * holding U+0000 (Postgres text cannot), a lone UTF-16 surrogate (not Unicode text: Postgres and
 * Kafka consumers refuse or mangle it), a number that is not finite or beyond ±MAX_JSON_NUMBER, or a
 * key in FORBIDDEN_JSON_KEYS. Walks with an explicit stack. `checkStrings: false` when scanJson
 * saw no suspect escape in the body.
 */
export function jsonValueProblem(value: unknown, options: { maxNumber?: number; checkStrings?: boolean } = {}): InputProblem | undefined {
  const maxNumber = options.maxNumber ?? MAX_JSON_NUMBER;
  const checkStrings = options.checkStrings ?? true;
  // Paths are built only for the value at fault: each entry points at its parent.
  const stack: Entry[] = [{ value, parent: undefined, key: undefined }];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const current = entry.value;
    if (typeof current === 'string') {
      const problem = checkStrings ? stringProblem(current) : undefined;
      if (problem) return { reason: problem.reason, message: `${pathOf(entry)}: ${problem.message}` };
      continue;
    }
    if (typeof current === 'number') {
      const problem = numberProblem(current, maxNumber);
      if (problem) return { reason: problem.reason, message: `${pathOf(entry)}: ${problem.message}` };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i] as unknown, parent: entry, key: i });
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      if (FORBIDDEN_JSON_KEYS.has(key)) return { reason: 'forbidden_key', message: `${pathOf(entry)}: the key "${key}" is not accepted` };
      const keyProblem = checkStrings ? stringProblem(key) : undefined;
      if (keyProblem) return { reason: keyProblem.reason, message: `${pathOf(entry)}: a key ${keyProblem.message}` };
      stack.push({ value: (current as Record<string, unknown>)[key], parent: entry, key });
    }
  }
  return undefined;
}

interface Entry {
  value: unknown;
  parent: Entry | undefined;
  key: string | number | undefined;
}

/** Same rules for a path or query parameter (a string). */
export function textProblem(text: string, where: string): InputProblem | undefined {
  const problem = stringProblem(text);
  return problem && { reason: problem.reason, message: `${where}: ${problem.message}` };
}

function numberProblem(value: number, maxNumber: number): InputProblem | undefined {
  if (!Number.isFinite(value)) return { reason: 'number_out_of_range', message: 'the number is not finite' };
  if (Math.abs(value) > maxNumber) return { reason: 'number_out_of_range', message: `the number is beyond ±${maxNumber}` };
  return undefined;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units, no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(text: string): InputProblem | undefined {
  if (text.includes('\u0000')) return { reason: 'nul_character', message: 'holds a NUL character (U+0000)' };
  if (LONE_SURROGATE.test(text)) return { reason: 'lone_surrogate', message: 'holds a lone UTF-16 surrogate (not Unicode text)' };
  return undefined;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function pathOf(entry: Entry): string {
  const parts: string[] = [];
  for (let at: Entry | undefined = entry; at?.parent; at = at.parent) {
    const key = at.key;
    parts.push(
      typeof key === 'number'
        ? `[${key}]`
        : key !== undefined && IDENTIFIER.test(key)
          ? `.${key}`
          : `[${JSON.stringify(String(key).slice(0, 40))}]`,
    );
  }
  return `$${parts.reverse().join('')}`;
}
