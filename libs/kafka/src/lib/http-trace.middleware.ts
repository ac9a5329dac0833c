import { Injectable, type NestMiddleware } from '@nestjs/common';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { childTraceContext, formatTraceContext, runWithTraceContext, TRACEPARENT_HEADER, TRACESTATE_HEADER } from './trace-context';

/**
 * W3C trace context of an HTTP request (every route of a service that has the KafkaModule): the
 * request gets its own span, in the trace of the caller's `traceparent` header (a new trace when
 * there is none, or a malformed one). The span is answered in the response's `traceparent` header,
 * and the request is served inside it, so every Kafka record it publishes continues that trace,
 * each with a span id of its own. With tracing on, the request's span is the HTTP instrumentation's
 * server span (exported), and the records' spans are its children.
 */
@Injectable()
export class HttpTraceMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    const incoming: Record<string, string> = {};
    for (const name of [TRACEPARENT_HEADER, TRACESTATE_HEADER]) {
      const value = request.headers[name];
      if (typeof value === 'string') incoming[name] = value;
    }
    const active = trace.getActiveSpan();
    const server = active?.isRecording() ? active.spanContext() : undefined;
    const span = server && isSpanContextValid(server) ? formatTraceContext(server) : childTraceContext(incoming);
    response.setHeader(TRACEPARENT_HEADER, span[TRACEPARENT_HEADER]);
    runWithTraceContext(span, next);
  }
}
