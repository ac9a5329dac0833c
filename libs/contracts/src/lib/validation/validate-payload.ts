import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { TOPIC_PAYLOAD_CLASSES, type TopicPayload } from '../topics/topic-payloads';
import { type Topic } from '../topics/topic.enum';
import { fastValidate, NOT_SURE } from './compiled-validator';

export interface FieldViolation {
  /** Dotted path of the field, e.g. `categories.2` or `send.contact`. */
  field: string;
  problems: string[];
}

/**
 * Why a payload was refused: `unknown_type` when its only problem is a kind field (see `KIND_FIELD`)
 * holding a well-formed string outside the known set; `schema_violation` for anything else.
 */
export type PayloadRejectionReason = 'schema_violation' | 'unknown_type';

export type PayloadValidation<T> = { ok: true; value: T } | { ok: false; reason: PayloadRejectionReason; violations: FieldViolation[] };

interface FlatViolation extends FieldViolation {
  /** Every failed constraint of this field is a kind constraint. */
  kindOnly: boolean;
}

function flatten(errors: ValidationError[], prefix = ''): FlatViolation[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const failed = Object.keys(error.constraints ?? {});
    const kindOnly = failed.length > 0 && failed.every((name) => (error.contexts?.[name] as { kind?: boolean } | undefined)?.kind === true);
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints), kindOnly }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

function valueAt(raw: object, field: string): unknown {
  return field
    .split('.')
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), raw);
}

function reasonOf(raw: object, violations: readonly FlatViolation[]): PayloadRejectionReason {
  const unknownKind = violations.every((v) => {
    const value = valueAt(raw, v.field);
    return v.kindOnly && typeof value === 'string' && value.trim().length > 0;
  });
  return violations.length > 0 && unknownKind ? 'unknown_type' : 'schema_violation';
}

/**
 * Validates a parsed JSON value against a topic's payload class. Unknown fields are dropped.
 * Records the compiled fast path is sure of are accepted there (see `compiled-validator.ts`);
 * every other record gets class-validator's verdict and violations.
 */
export function validatePayload<T extends Topic>(topic: T, raw: unknown): PayloadValidation<TopicPayload<T>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'schema_violation', violations: [{ field: '(root)', problems: ['payload must be a JSON object'] }] };
  }
  const fast = fastValidate(TOPIC_PAYLOAD_CLASSES[topic], raw);
  if (fast !== NOT_SURE) return { ok: true, value: fast as unknown as TopicPayload<T> };
  return classValidatorVerdict(topic, raw);
}

/** class-validator's verdict (plainToInstance + validateSync), without the fast path. */
export function classValidatorVerdict<T extends Topic>(topic: T, raw: object): PayloadValidation<TopicPayload<T>> {
  const instance = plainToInstance(TOPIC_PAYLOAD_CLASSES[topic] as never, raw) as TopicPayload<T>;
  const errors = validateSync(instance as object, {
    whitelist: true,
    // Tolerant reader: fields added by a newer producer are dropped, not refused.
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length === 0) return { ok: true, value: instance };
  const violations = flatten(errors);
  return { ok: false, reason: reasonOf(raw, violations), violations: violations.map(({ field, problems }) => ({ field, problems })) };
}

/** `phone: must be a string; occurredAt: must be a valid ISO 8601 date string` */
export function describeViolations(violations: FieldViolation[]): string {
  return violations.map((v) => `${v.field}: ${v.problems.join(', ')}`).join('; ');
}
