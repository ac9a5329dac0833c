import { trace } from '@opentelemetry/api';

/**
 * The log fields of the active span (`trace_id`, `span_id`, `trace_flags`, as OpenTelemetry's log
 * correlation names them), so that a log line leads to its trace: every line written while a
 * request, a record or a batch is handled. Empty outside any span.
 */
export function activeTraceFields(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}
