import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { GraphApiError } from './graph-api.error';

/** Renders every error of a Graph API route the way Graph does, so clients parse one shape. */
@Catch()
export class GraphErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(GraphErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent || response.destroyed) return;
    const error = toGraphError(exception);
    if (error.httpStatus >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    response.status(error.httpStatus).json(error.toResponse());
  }
}

function toGraphError(exception: unknown): GraphApiError {
  if (exception instanceof GraphApiError) return exception;
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    // Unparseable JSON, payload too large...: Graph reports these as invalid parameters.
    return new GraphApiError(exception.getStatus(), 100, `(#100) ${exception.message}`, exception.message);
  }
  return new GraphApiError(500, 1, 'An unknown error occurred', undefined, 'OAuthException');
}
