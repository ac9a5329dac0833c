import { type ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphApiError } from './graph-api.error';
import { sendJson } from './send-json';

/** Graph API paths start with a version: `/v21.0/...`. */
const GRAPH_PATH = /^\/v\d+\.\d+\//;

/**
 * Renders every error of a Graph API path the way Graph does (including an unparseable JSON body,
 * which fails before any controller runs), so that clients parse one shape. Other paths
 * (`/sandbox`, `/health`) keep Nest's usual error body.
 */
@Catch()
export class GraphErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(GraphErrorFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    if (!(exception instanceof GraphApiError) && !GRAPH_PATH.test(request.url ?? '')) {
      super.catch(exception, host);
      return;
    }
    const response = http.getResponse<ServerResponse>();
    if (response.headersSent || response.destroyed) return;
    const error = toGraphError(exception);
    if (error.httpStatus >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    sendJson(response, error.httpStatus, error.toResponse());
  }
}

function toGraphError(exception: unknown): GraphApiError {
  if (exception instanceof GraphApiError) return exception;
  if (exception instanceof HttpException && exception.getStatus() === 404) {
    return new GraphApiError(400, 100, '(#100) Unknown path components');
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    // Unparseable JSON, payload too large...: Graph reports these as invalid parameters.
    return new GraphApiError(exception.getStatus(), 100, `(#100) ${exception.message}`, exception.message);
  }
  return new GraphApiError(500, 1, 'An unknown error occurred');
}
