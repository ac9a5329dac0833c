import {
  type ConsentNormalizedV1,
  type DeadLetterReason,
  describeViolations,
  type EngagementNormalizedV1,
  type FieldViolation,
  type PayloadRejectionReason,
  type PayloadValidation,
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

  async engagement(items: readonly unknown[], now: Date): Promise<IntakeOutcome<EngagementNormalizedV1>> {
    return this.intake(
      'POST /v1/engagement-events',
      items,
      (raw) => validatePayload(Topic.SocialEngagementV1, raw),
      (events) => this.normalizer.engagements(events, now),
    );
  }

  /** `attribution`: who asserted them (the API key), whatever the items declare. */
  async consent(items: readonly unknown[], now: Date, attribution: ConsentAttribution): Promise<IntakeOutcome<ConsentNormalizedV1>> {
    return this.intake(
      'POST /v1/consents',
      items,
      (raw) => validatePayload(Topic.ConsentV1, raw),
      (events) =>
        this.normalizer.consents(
          events.map((event) => ({ event, attribution })),
          now,
        ),
    );
  }

  /** Size and contract first, item by item; then the valid ones normalized as one batch (one vault round trip). */
  private async intake<E, T extends { personId: string }>(
    route: HttpRoute,
    items: readonly unknown[],
    validate: (raw: unknown) => PayloadValidation<E>,
    normalize: (events: E[]) => Promise<Normalized<T>[]>,
  ): Promise<IntakeOutcome<T>> {
    const checked = items.map((raw) => {
      const bytes = Buffer.from(JSON.stringify(raw) ?? 'null', 'utf8');
      if (bytes.length > this.limits.maxItemBytes) {
        const oversized: Refused = {
          ok: false,
          reason: 'oversized',
          detail: `(root): ${bytes.length} bytes, more than ${this.limits.maxItemBytes}`,
        };
        return { bytes, result: oversized };
      }
      const valid = validate(raw);
      return { bytes, result: valid.ok ? valid : schemaViolation(valid.reason, valid.violations) };
    });
    const valid: E[] = [];
    for (const { result } of checked) if (result.ok) valid.push(result.value);
    const normalized = await normalize(valid);
    let next = 0;
    const outcome: IntakeOutcome<T> = { results: [], accepted: [], refused: [] };
    checked.forEach(({ bytes, result: checkedResult }, index) => {
      const result: Normalized<T> | Refused = checkedResult.ok ? (normalized[next++] as Normalized<T>) : checkedResult;
      if (result.ok) {
        outcome.results.push({ index, status: 'accepted', personId: result.value.personId });
        outcome.accepted.push({ key: result.value.personId, value: result.value });
        return;
      }
      const errors = ('violations' in result && result.violations) || [violationOf(result.detail)];
      outcome.results.push({ index, status: 'rejected', reason: result.reason, errors });
      // Sealed by the caller (one vault round trip for the request) before it goes to the dead-letter topic.
      outcome.refused.push({ reason: result.reason, detail: result.detail, value: bytes, headers: { [HTTP_ROUTE_HEADER]: route } });
    });
    return outcome;
  }
}

/**
 * An item refused before normalization: too large, or not the contract (with its violations;
 * `unknown_type` when the only problem is a well-formed but unknown `type`).
 */
interface Refused {
  ok: false;
  reason: DeadLetterReason;
  detail: string;
  violations?: FieldViolation[];
}

function schemaViolation(reason: PayloadRejectionReason, violations: FieldViolation[]): Refused {
  return { ok: false, reason, detail: describeViolations(violations), violations };
}

/** `phone: not a valid number for FR` → { field: 'phone', problems: ['not a valid number for FR'] } */
function violationOf(detail: string): FieldViolation {
  const colon = detail.indexOf(': ');
  return colon > 0 ? { field: detail.slice(0, colon), problems: [detail.slice(colon + 2)] } : { field: '(root)', problems: [detail] };
}
