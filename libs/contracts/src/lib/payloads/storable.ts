import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/**
 * Constraints for values a consumer stores as they are: what passes them is something Postgres
 * (text, jsonb, timestamptz) and JavaScript read the same way, so a valid record can never fail
 * on a database error later, where it would be retried for ever instead of refused.
 */

/** A NUL, or half of a surrogate pair: Postgres text and jsonb refuse both. */
// eslint-disable-next-line no-control-regex
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string Postgres can hold in text and jsonb: no NUL character, well-formed UTF-16. */
export function IsStorableText(options?: ValidationOptions): PropertyDecorator {
  const schema = JSONSchema({ description: 'Text without NUL characters or unpaired surrogates (what Postgres stores).' });
  const rule = ValidateBy(
    {
      name: 'isStorableText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !UNSTORABLE_TEXT.test(value),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be text without NUL characters or unpaired surrogates`,
      },
    },
    options,
  );
  return (target, key) => {
    schema(target, key as string);
    rule(target, key);
  };
}

/** RFC 3339 date-time with an explicit offset: read as the same instant by JavaScript and Postgres. */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** The instant of an RFC 3339 date-time, or NaN (a day the month does not have included: Date.parse rolls it over). */
function instantOf(value: string): number {
  const match = INSTANT.exec(value);
  if (!match) return Number.NaN;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return Number.NaN;
  return Date.parse(value);
}

export interface InstantBounds {
  /** Earliest instant accepted (ISO 8601). */
  notBefore: string;
  /** How far after the validating clock's now the instant may be (ms). */
  maxAheadMs: number;
}

/**
 * A date-time with a time and an offset (`2026-12-01T09:00:00Z`, `...+02:00`), between
 * `notBefore` and `maxAheadMs` after now. The upper bound moves with the clock, so a record once
 * accepted is accepted again when it is read later (a compacted topic read from its beginning).
 */
export function IsInstantWithin(bounds: InstantBounds, options?: ValidationOptions): PropertyDecorator {
  const earliest = Date.parse(bounds.notBefore);
  const aheadDays = Math.round(bounds.maxAheadMs / 86_400_000);
  const ahead = aheadDays >= 1 ? `${aheadDays} days` : `${Math.round(bounds.maxAheadMs / 60_000)} minutes`;
  const schema = JSONSchema({
    type: 'string',
    format: 'date-time',
    description: `With an offset (e.g. 2026-12-01T09:00:00Z); not before ${bounds.notBefore}, at most ${ahead} after the reader's clock.`,
  });
  const rule = ValidateBy(
    {
      name: 'isInstantWithin',
      constraints: [bounds],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const at = instantOf(value);
          return Number.isFinite(at) && at >= earliest && at <= Date.now() + bounds.maxAheadMs;
        },
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be a date-time with an offset (e.g. 2026-12-01T09:00:00Z), not before ${bounds.notBefore} and at most ${ahead} from now`,
      },
    },
    options,
  );
  return (target, key) => {
    schema(target, key as string);
    rule(target, key);
  };
}

/** A date-time strictly after the record's `field` (checked only when both are dates). */
export function IsAfterField(field: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAfterField',
      constraints: [field],
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const other = (args?.object as Record<string, unknown> | undefined)?.[field];
          if (typeof value !== 'string' || typeof other !== 'string') return true;
          const at = Date.parse(value);
          const before = Date.parse(other);
          return !Number.isFinite(at) || !Number.isFinite(before) || at > before;
        },
        defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'value'} must be after ${field}`,
      },
    },
    options,
  );
}
