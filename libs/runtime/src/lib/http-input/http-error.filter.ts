import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { type Response } from 'express';

/** What a request is answered when it failed: status and JSON body; `fault` when it is ours, not the caller's. */
export interface HttpErrorAnswer {
  status: number;
  body: Record<string, unknown>;
  fault?: 'unavailable' | 'internal';
}

/** Errors of the Node network layer: a dependency (Postgres, Kafka, the vault) is unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * How any error thrown while serving a request is answered. Whatever comes from the caller is a 4xx
 * with a reason: Nest's HttpExceptions as they are, the body parser's errors (413, 415, 400), and
 * Postgres refusing a value (SQLSTATE class 22, data exception: 400; class 23, integrity: 409).
 * A dependency that is down is a 503; anything else a bare 500. Neither says more than that.
 */
export function httpErrorOf(exception: unknown): HttpErrorAnswer {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const body =
      typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : { statusCode: status, message: response };
    return { status, body };
  }
  const clientStatus = clientErrorStatusOf(exception);
  if (clientStatus) return clientStatus;
  const sqlState = sqlStateOf(exception);
  if (sqlState?.startsWith('22')) {
    return answer(
      400,
      'Bad Request',
      'a value of the request cannot be stored: out of range, too long or not valid for its field',
      'unstorable_value',
    );
  }
  if (sqlState?.startsWith('23')) {
    return answer(409, 'Conflict', 'the request conflicts with what is stored (a duplicate or a missing reference)', 'conflict');
  }
  if (isUnavailable(exception, sqlState)) {
    return { ...answer(503, 'Service Unavailable', 'a dependency of the service is unavailable: try again later'), fault: 'unavailable' };
  }
  return { ...answer(500, 'Internal Server Error', 'Internal server error'), fault: 'internal' };
}

function answer(status: number, error: string, message: string, reason?: string): HttpErrorAnswer {
  return { status, body: { statusCode: status, error, message, ...(reason ? { reason } : {}) } };
}

/** `http-errors` errors (the body parser's, Express's): a 4xx status and a message meant for the caller. */
function clientErrorStatusOf(exception: unknown): HttpErrorAnswer | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { status, statusCode, type, expose, message } = exception as Record<string, unknown>;
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  if (code === undefined || code < 400 || code >= 500 || expose === false) return undefined;
  switch (type) {
    case 'entity.too.large':
      return answer(413, 'Payload Too Large', 'the body is larger than the limit of this service', 'payload_too_large');
    case 'entity.parse.failed':
      return answer(400, 'Bad Request', `the body is not valid JSON${typeof message === 'string' ? `: ${message}` : ''}`, 'malformed_json');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return answer(
        415,
        'Unsupported Media Type',
        typeof message === 'string' ? message : 'unsupported encoding',
        'unsupported_media_type',
      );
    default:
      return answer(code, HttpStatus[code] ?? 'Client Error', typeof message === 'string' ? message : 'request refused');
  }
}

/** The SQLSTATE of a Postgres error, as thrown by pg or wrapped by TypeORM (QueryFailedError). */
function sqlStateOf(exception: unknown): string | undefined {
  for (let error: unknown = exception, depth = 0; typeof error === 'object' && error !== null && depth < 3; depth++) {
    const { code, severity, driverError } = error as Record<string, unknown>;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string') return code;
    error = driverError ?? (error as { cause?: unknown }).cause;
  }
  return undefined;
}

function isUnavailable(exception: unknown, sqlState: string | undefined): boolean {
  // 08: connection exception; 53: insufficient resources; 57P01-03: admin shutdown, crash, cannot connect now.
  if (sqlState && (sqlState.startsWith('08') || sqlState.startsWith('53') || /^57P0[123]$/.test(sqlState))) return true;
  for (let error: unknown = exception, depth = 0; error instanceof Error && depth < 3; depth++) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    // kafkajs: the broker did not acknowledge (connection, timeout, retries exhausted).
    if (error.name.startsWith('KafkaJS')) return true;
    // pg: the pool or the connection went away.
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(error.message))
      return true;
    error = (error as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The one exception filter of every service's HTTP side: `httpErrorOf`'s answer as JSON, the stack
 * of a 500 in the log (never in the answer). Kafka handlers (which inherit the app's filters) get
 * Nest's default treatment, unchanged.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');
  private readonly rpc = new BaseRpcExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return this.rpc.catch(exception, host);
    const answer = httpErrorOf(exception);
    this.report(exception, answer);
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) {
      response.end();
      return undefined;
    }
    response.status(answer.status).json(answer.body);
    return undefined;
  }

  protected report(exception: unknown, answer: HttpErrorAnswer): void {
    if (answer.fault === 'internal')
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    else if (answer.fault === 'unavailable')
      this.logger.warn(`answered 503: ${exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception)}`);
  }
}
