import { type ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { HttpErrorFilter, httpErrorOf } from '@wt/runtime';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphApiError } from './graph-api.error';
import { sendJson } from './send-json';

/** Graph API paths start with a version: `/v25.0/...`. */
const GRAPH_PATH = /^\/v\d+\.\d+\//;

/**
 * Renders every error of a Graph API path the way Graph does (including a body the shared edge
 * refused before any controller ran: malformed, too deep, NUL...), so that clients parse one shape.
 * Other paths (`/sandbox`, `/health`) keep the platform's error body (HttpErrorFilter).
 */
@Catch()
export class GraphErrorFilter extends HttpErrorFilter {
  private readonly graphLogger = new Logger(GraphErrorFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return super.catch(exception, host);
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    if (!(exception instanceof GraphApiError) && !GRAPH_PATH.test(request.url ?? '')) return super.catch(exception, host);
    const response = http.getResponse<ServerResponse>();
    if (response.headersSent || response.destroyed) return undefined;
    const error = toGraphError(exception);
    if (error.httpStatus >= 500) this.graphLogger.error(exception instanceof Error ? exception.stack : String(exception));
    sendJson(response, error.httpStatus, error.toResponse());
    return undefined;
  }
}

function toGraphError(exception: unknown): GraphApiError {
  if (exception instanceof GraphApiError) return exception;
  const { status, body } = httpErrorOf(exception);
  if (status === 404) return new GraphApiError(400, 100, '(#100) Unknown path components');
  if (status < 500) {
    // Unparseable JSON, payload too large, a NUL character...: Graph reports these as invalid parameters.
    const message = Array.isArray(body['message']) ? body['message'].join('; ') : String(body['message'] ?? 'invalid request');
    return new GraphApiError(status, 100, `(#100) ${message}`, message);
  }
  return new GraphApiError(500, 1, 'An unknown error occurred');
}
