import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { TOPIC_PAYLOAD_CLASSES, type TopicPayload } from '../topics/topic-payloads';
import { type Topic } from '../topics/topic.enum';

export interface FieldViolation {
  /** Dotted path of the field, e.g. `categories.2` or `send.contact`. */
  field: string;
  problems: string[];
}

export type PayloadValidation<T> = { ok: true; value: T } | { ok: false; violations: FieldViolation[] };

function flatten(errors: ValidationError[], prefix = ''): FieldViolation[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Validates a parsed JSON value against a topic's payload class. Unknown fields are dropped. */
export function validatePayload<T extends Topic>(topic: T, raw: unknown): PayloadValidation<TopicPayload<T>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, violations: [{ field: '(root)', problems: ['payload must be a JSON object'] }] };
  }
  const instance = plainToInstance(TOPIC_PAYLOAD_CLASSES[topic] as never, raw) as TopicPayload<T>;
  const errors = validateSync(instance as object, {
    whitelist: true,
    // Tolerant reader: fields added by a newer producer are dropped, not refused.
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  return errors.length === 0 ? { ok: true, value: instance } : { ok: false, violations: flatten(errors) };
}

/** `phone: must be a string; occurredAt: must be a valid ISO 8601 date string` */
export function describeViolations(violations: FieldViolation[]): string {
  return violations.map((v) => `${v.field}: ${v.problems.join(', ')}`).join('; ');
}
