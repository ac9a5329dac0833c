import { type ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Request, Response } from 'express';
import { GraphApiError } from './graph-api.error';

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
    const request = http.getRequest<Request>();
    if (!(exception instanceof GraphApiError) && !GRAPH_PATH.test(request.path)) {
      super.catch(exception, host);
      return;
    }
    const response = http.getResponse<Response>();
    if (response.headersSent || response.destroyed) return;
    const error = toGraphError(exception);
    if (error.httpStatus >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    response.status(error.httpStatus).json(error.toResponse());
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
