import {
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TRACEPARENT_HEADER, TRACESTATE_HEADER } from './trace-context';

/**
 * OpenTelemetry spans of Kafka hops, around the W3C `traceparent` every record already carries
 * (see trace-context.ts): a `send <topic>` PRODUCER span per record published, whose context the
 * record carries; a `process <topic>` CONSUMER span per record consumed, child of that send span,
 * which then replaces the record's `traceparent` as the handler sees it, so that what the handler
 * publishes from the record (it copies the record's trace headers) is a child of the processing. A
 * trace thus runs ingest -> profiles -> scoring -> dispatcher -> status as one chain of parents.
 *
 * Off unless a service started tracing (runService calls enableRecordSpans when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set): off, records get their trace context the cheap way
 * (childTraceContext) and no span object is made.
 */
let enabled = false;
const propagator = new W3CTraceContextPropagator();
const tracer = () => trace.getTracer('@wt/kafka');

export function enableRecordSpans(on = true): void {
  enabled = on;
}

export function recordSpansEnabled(): boolean {
  return enabled;
}

const MESSAGING = { 'messaging.system': 'kafka' } as const;

function contextOf(headers: Record<string, string> | undefined): Context | undefined {
  if (!headers?.[TRACEPARENT_HEADER]) return undefined;
  const extracted = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

/** Writes the span's `traceparent` (and `tracestate`) into `headers`. */
function carry(span: Span, headers: Record<string, string>): void {
  delete headers[TRACESTATE_HEADER];
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
}

/**
 * The span of one record published: child of the trace in `parent` (the input record's headers),
 * else of the active span (the HTTP request, the batch being handled). Writes its context into
 * `headers`. Undefined when spans are off or the trace is not sampled.
 */
export function startSendSpan(
  topic: string,
  parent: Record<string, string> | undefined,
  headers: Record<string, string>,
): Span | undefined {
  if (!enabled) return undefined;
  const span = tracer().startSpan(
    `send ${topic}`,
    { kind: SpanKind.PRODUCER, attributes: { ...MESSAGING, 'messaging.operation.type': 'send', 'messaging.destination.name': topic } },
    contextOf(parent) ?? context.active(),
  );
  if (!span.isRecording()) return undefined;
  carry(span, headers);
  return span;
}

/**
 * The span of one record consumed, child of the span that published it; the record's `headers`
 * (as the handler sees them) then carry it. Undefined when spans are off, the record carries no
 * trace, or the trace is not sampled.
 */
export function startProcessSpan(topic: string, partition: number, offset: string, headers: Record<string, string>): Span | undefined {
  if (!enabled) return undefined;
  const parent = contextOf(headers);
  if (!parent) return undefined;
  const span = tracer().startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...MESSAGING,
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(offset),
      },
    },
    parent,
  );
  if (!span.isRecording()) return undefined;
  carry(span, headers);
  return span;
}

/** Most records a batch span links to (a span keeps at most 128 links by default). */
const MAX_BATCH_LINKS = 64;

/**
 * Runs one handler call inside a `handle <topic>` span linked to its records' spans: the queries
 * and calls the handler makes (pg, HTTP) are its children, and its log lines carry its ids.
 * Without spans, runs `work` as it is.
 */
export async function inBatchSpan<T>(topic: string, records: number, links: readonly Span[], work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const span = tracer().startSpan(
    `handle ${topic}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: { ...MESSAGING, 'messaging.destination.name': topic, 'messaging.batch.message_count': records },
      links: links.slice(0, MAX_BATCH_LINKS).map((linked): Link => ({ context: linked.spanContext() })),
    },
    ROOT_CONTEXT,
  );
  try {
    return await context.with(trace.setSpan(ROOT_CONTEXT, span), work);
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function fail(span: Span, error: unknown): void {
  // The error's name only: a message may quote a record's content.
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
}

/** Ends spans (with an error status when `error` is given). */
export function endSpans(spans: readonly Span[], error?: unknown): void {
  for (const span of spans) {
    if (error !== undefined) fail(span, error);
    span.end();
  }
}
