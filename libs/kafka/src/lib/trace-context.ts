import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  context,
  type SpanContext,
  TraceFlags,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** W3C trace context headers carried on every Kafka record. */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

const propagator = new W3CTraceContextPropagator();

/** The span context in `traceparent`/`tracestate` headers, or undefined when absent or malformed. */
export function parseTraceContext(headers: Record<string, string> | undefined): SpanContext | undefined {
  if (!headers?.[TRACEPARENT_HEADER]) return undefined;
  const span = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
  return span && isSpanContextValid(span) ? span : undefined;
}

/** `traceparent` (and `tracestate` when there is one) for a span context. */
export function formatTraceContext(span: SpanContext): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier;
}

/**
 * Random ids from a pooled draw: a CSPRNG call per record cost ≈ 5 % of a stage's CPU (every
 * record gets a span id). Ids need to be unique, not secret; the pool is still crypto-random.
 */
const pool = { bytes: Buffer.alloc(0), offset: 0 };
function randomHex(size: number): string {
  if (pool.offset + size > pool.bytes.length) {
    pool.bytes = randomBytes(4096);
    pool.offset = 0;
  }
  const hex = pool.bytes.toString('hex', pool.offset, pool.offset + size);
  pool.offset += size;
  return hex;
}

function newSpanId(): string {
  // An all-zero id is invalid; 8 random bytes are practically never zero, but be exact.
  let id: string;
  do id = randomHex(8);
  while (id === '0000000000000000');
  return id;
}

/** The propagator's own pattern (W3CTraceContextPropagator's parseTraceParent). */
const TRACEPARENT = /^\s?((?!ff)[\da-f]{2})-((?![0]{32})[\da-f]{32})-((?![0]{16})[\da-f]{16})-([\da-f]{2})(-.*)?\s?$/;

/** `traceparent` as the propagator writes it (flags included, printed the same way). */
const traceparentOf = (traceId: string, spanId: string, flags: number) =>
  `00-${traceId}-${spanId}-0${Number(flags || TraceFlags.NONE).toString(16)}`;

/**
 * Trace context for the record a hop produces: the same trace as `parent` with a new span id,
 * or a new sampled trace when the input carried none (or a malformed one).
 *
 * Every record a stage produces goes through here: without `tracestate` (the usual case) the
 * `traceparent` is parsed and written directly, as the propagator would, without the context
 * objects of an extract and an inject (≈ 2 % of ingest's CPU). With `tracestate`, the propagator
 * does it (it normalises the state).
 */
export function childTraceContext(parent: Record<string, string> | undefined): Record<string, string> {
  const given = parent?.[TRACEPARENT_HEADER];
  if (given && !parent[TRACESTATE_HEADER]) {
    const match = TRACEPARENT.exec(given);
    if (match && !(match[1] === '00' && match[5])) {
      return { [TRACEPARENT_HEADER]: traceparentOf(match[2] as string, newSpanId(), parseInt(match[4] as string, 16)) };
    }
  } else if (given) {
    const span = parseTraceContext(parent);
    if (span) return formatTraceContext({ ...span, spanId: newSpanId(), isRemote: false });
  }
  let traceId: string;
  do traceId = randomHex(16);
  while (traceId === '00000000000000000000000000000000');
  return { [TRACEPARENT_HEADER]: traceparentOf(traceId, newSpanId(), TraceFlags.SAMPLED) };
}

/** The input record's trace headers, to hand to the records a handler produces from it. */
export function traceHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [TRACEPARENT_HEADER, TRACESTATE_HEADER]) if (headers?.[name]) out[name] = headers[name];
  return out;
}

const ambient = new AsyncLocalStorage<Record<string, string>>();

/**
 * Runs `work` with `headers` (a `traceparent`, and `tracestate` when there is one) as the ambient
 * trace context: records it publishes without trace headers of their own continue that trace.
 * Every HTTP request of a service runs in its request's span this way (see libs/runtime).
 */
export function runWithTraceContext<T>(headers: Record<string, string>, work: () => T): T {
  const carried = traceHeaders(headers);
  // Also the active OpenTelemetry context, so log lines written meanwhile carry its ids; when the
  // active span is already this one (tracing on: the HTTP server span), it stays as it is.
  const span = parseTraceContext(carried);
  const active = trace.getActiveSpan()?.spanContext();
  if (!span || active?.spanId === span.spanId) return ambient.run(carried, work);
  return ambient.run(carried, () => context.with(trace.setSpanContext(context.active(), span), work));
}

/** The ambient trace context (the HTTP request being served), if any. */
export function currentTraceContext(): Record<string, string> | undefined {
  return ambient.getStore();
}
