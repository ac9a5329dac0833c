import { Transform } from 'class-transformer';

/** `true`, `1`, `yes` (any case) are true; anything else is false; unset keeps the default. */
export const BooleanFromEnv = () =>
  Transform(({ value, obj, key }) => {
    const raw = (obj as Record<string, unknown>)[key];
    if (raw === undefined) return value;
    return typeof raw === 'boolean' ? raw : ['true', '1', 'yes'].includes(String(raw).toLowerCase());
  });

/** Comma-separated list: `a, b,c` becomes `['a', 'b', 'c']`. */
export const ListFromEnv = () =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value,
  );
