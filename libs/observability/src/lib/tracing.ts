import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';

/** The variable that turns tracing on: the OTLP/HTTP endpoint of a collector (Jaeger, Tempo, an OTel Collector). */
export const OTLP_ENDPOINT_VARIABLE = 'OTEL_EXPORTER_OTLP_ENDPOINT';

let instrumented = false;
let provider: TracerProvider | undefined;

/** Paths not worth a span: probes and scrapes (several per second per pod). */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|$|\?)/;

/**
 * Context manager, W3C propagator and the maintained instrumentations (HTTP server and client,
 * Express routes, pg queries). Must run before `http`, `express` and `pg` are first required: the
 * instrumentations patch modules as they load. `@wt/observability/tracing` does it as the first
 * import of every service's main.ts, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: with tracing
 * off nothing is patched. Spans made before startTracing are dropped (no provider yet).
 *
 * Kafka spans come from @wt/kafka around the records' own `traceparent` headers, not from
 * @opentelemetry/instrumentation-kafkajs: that one replaces each record's `traceparent` with a span
 * of the ambient context (a batch's records each continue their own trace here) and writes record
 * keys into span attributes (an input topic's key may be a phone number).
 */
export function instrumentForTracing(): void {
  if (instrumented) return;
  instrumented = true;
  installTraceContext();
  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
        // Outgoing calls outside any span (a sender loop's idle polls) would each start a trace.
        requireParentforOutgoingSpans: true,
      }),
      new ExpressInstrumentation(),
      // A query outside any span (a background poll) would each be a trace of its own.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    ],
  });
}

let contextInstalled = false;

/**
 * The OpenTelemetry context manager (AsyncLocalStorage) and the W3C propagator, tracing on or off:
 * the trace context a request or a record carries is then the active one, and every log line
 * written inside it carries its `trace_id` and `span_id` (see activeTraceFields).
 */
export function installTraceContext(): void {
  if (contextInstalled) return;
  contextInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

export interface TracingOptions {
  service: string;
  /** OTLP/HTTP endpoint (`http://jaeger:4318`); spans go to `<endpoint>/v1/traces`. Unset: tracing off. */
  endpoint?: string;
  /** Share of new traces kept (a trace started upstream keeps its caller's decision). */
  samplerRatio?: number;
  /** Longest wait before a batch of spans is sent (ms). */
  exportDelayMs?: number;
}

/**
 * Starts exporting spans over OTLP/HTTP (JSON) when an endpoint is configured; no-op otherwise.
 * Returns true when tracing is on. Call once per process, after the configuration is validated.
 */
export function startTracing(options: TracingOptions): boolean {
  if (!options.endpoint || provider) return provider !== undefined;
  instrumentForTracing();
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.samplerRatio ?? 1) }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` }),
        scheduledDelayMillis: options.exportDelayMs ?? 1_000,
        maxQueueSize: 8_192,
        maxExportBatchSize: 1_024,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  return true;
}

/** Sends the spans still buffered and stops exporting (at shutdown). */
export async function stopTracing(): Promise<void> {
  const current = provider;
  provider = undefined;
  if (current) await current.shutdown();
}
