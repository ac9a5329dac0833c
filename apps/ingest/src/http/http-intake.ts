import {
  type ConsentNormalizedV1,
  type DeadLetterReason,
  describeViolations,
  type EngagementNormalizedV1,
  type FieldViolation,
  type PayloadRejectionReason,
  Topic,
  validatePayload,
} from '@wt/contracts';
import { type HttpRefusal, type OutgoingRecord } from '@wt/kafka';
import { type ConsentAttribution, type EventNormalizer, type Normalized } from '../normalization/event-normalizer';

/** The public input topic each HTTP route stands for: a dead letter from HTTP replays onto it. */
export const HTTP_ROUTES = {
  'POST /v1/engagement-events': Topic.SocialEngagementV1,
  'POST /v1/consents': Topic.ConsentV1,
} as const;
export type HttpRoute = keyof typeof HTTP_ROUTES;

/** Header of an HTTP dead letter naming the route it came through. */
export const HTTP_ROUTE_HEADER = 'wt-http-route';

export type ItemResult =
  | { index: number; status: 'accepted'; personId: string }
  | { index: number; status: 'rejected'; reason: DeadLetterReason; errors: FieldViolation[] };

export interface IntakeOutcome<T> {
  results: ItemResult[];
  accepted: OutgoingRecord<T>[];
  /** Refused items, for the dead-letter topic once sealed (`httpDeadLettersFor`). */
  refused: HttpRefusal[];
}

export interface IntakeLimits {
  /** An item larger than this (as JSON) is rejected as `oversized`. */
  maxItemBytes: number;
}

/**
 * The HTTP door: the same contract validation as the Kafka door (`validatePayload` with the
 * topic's class), then the same `EventNormalizer`. Every item gets a result; every rejected item
 * also becomes a dead letter with origin `http`, so nothing is lost even if the caller ignores
 * the answer.
 */
export class HttpIntake {
  constructor(
    private readonly normalizer: EventNormalizer,
    private readonly limits: IntakeLimits,
  ) {}

  engagement(items: readonly unknown[], now: Date): IntakeOutcome<EngagementNormalizedV1> {
    return this.intake('POST /v1/engagement-events', items, now, (raw) => {
      const valid = validatePayload(Topic.SocialEngagementV1, raw);
      return valid.ok ? this.normalizer.engagement(valid.value, now) : schemaViolation(valid.reason, valid.violations);
    });
  }

  /** `attribution`: who asserted them (the API key), whatever the items declare. */
  consent(items: readonly unknown[], now: Date, attribution: ConsentAttribution): IntakeOutcome<ConsentNormalizedV1> {
    return this.intake('POST /v1/consents', items, now, (raw) => {
      const valid = validatePayload(Topic.ConsentV1, raw);
      return valid.ok ? this.normalizer.consent(valid.value, now, attribution) : schemaViolation(valid.reason, valid.violations);
    });
  }

  private intake<T extends { personId: string }>(
    route: HttpRoute,
    items: readonly unknown[],
    now: Date,
    normalize: (raw: unknown) => Normalized<T> | SchemaViolation,
  ): IntakeOutcome<T> {
    const outcome: IntakeOutcome<T> = { results: [], accepted: [], refused: [] };
    items.forEach((raw, index) => {
      const bytes = Buffer.from(JSON.stringify(raw) ?? 'null', 'utf8');
      const result: Normalized<T> | SchemaViolation =
        bytes.length > this.limits.maxItemBytes
          ? { ok: false, reason: 'oversized', detail: `(root): ${bytes.length} bytes, more than ${this.limits.maxItemBytes}` }
          : normalize(raw);
      if (result.ok) {
        outcome.results.push({ index, status: 'accepted', personId: result.value.personId });
        outcome.accepted.push({ key: result.value.personId, value: result.value });
        return;
      }
      const errors = 'violations' in result ? (result as SchemaViolation).violations : [violationOf(result.detail)];
      outcome.results.push({ index, status: 'rejected', reason: result.reason, errors });
      // Sealed by the caller (one vault round trip for the request) before it goes to the dead-letter topic.
      outcome.refused.push({ reason: result.reason, detail: result.detail, value: bytes, headers: { [HTTP_ROUTE_HEADER]: route } });
    });
    return outcome;
  }
}

interface SchemaViolation {
  ok: false;
  /** `unknown_type` when the only problem is a well-formed but unknown `type`. */
  reason: PayloadRejectionReason;
  detail: string;
  violations: FieldViolation[];
}

function schemaViolation(reason: PayloadRejectionReason, violations: FieldViolation[]): SchemaViolation {
  return { ok: false, reason, detail: describeViolations(violations), violations };
}

/** `phone: not a valid number for FR` → { field: 'phone', problems: ['not a valid number for FR'] } */
function violationOf(detail: string): FieldViolation {
  const colon = detail.indexOf(': ');
  return colon > 0 ? { field: detail.slice(0, colon), problems: [detail.slice(colon + 2)] } : { field: '(root)', problems: [detail] };
}
