import { type ExceptionFilter, type INestApplication } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { json, type NextFunction, type Request, type Response } from 'express';
import { HttpErrorFilter, httpErrorOf } from './http-error.filter';
import { HttpInputError } from './http-input.error';
import { InputProblemGuard, recordInputProblem } from './input-problem.guard';
import { type InputProblem, jsonValueProblem, scanJson, textProblem } from './json-input';

/** Largest JSON body a service accepts unless it says otherwise (`RunServiceOptions.bodyLimit`). */
export const DEFAULT_BODY_LIMIT = '100kb';

export interface HttpInputOptions {
  /** Largest accepted JSON body, e.g. `'2mb'` (default DEFAULT_BODY_LIMIT). */
  bodyLimit?: string;
  /** Keep the exact bytes of a JSON body as `request.rawBody` (webhook signatures). */
  rawBody?: boolean;
  /** The app's exception filter (default HttpErrorFilter); the sandbox renders Graph API errors. */
  errorFilter?: ExceptionFilter;
}

const SUSPECT_ESCAPES = Symbol('wt.suspectEscapes');

/** Thrown from the body parser's `verify` hook to stop a body before it is parsed. */
class RefusedBeforeParsing extends Error {
  constructor(readonly problem: InputProblem) {
    super(problem.message);
  }
}

/**
 * The edge every service's HTTP side shares (the app must be created with `bodyParser: false`):
 * 1. the URL: a path segment or query value that is not valid percent-encoding, or holds U+0000, is a 400;
 * 2. the body: only JSON (`application/json`, `*+json`) is read, up to `bodyLimit`; its depth is
 *    checked on the bytes before parsing, then its values (NUL, lone surrogates, numbers, prototype
 *    keys, see json-input.ts). Anything wrong is recorded on the request and refused by
 *    InputProblemGuard as a 400, 413 or 415 with a reason;
 * 3. errors: one filter answers JSON everywhere, a 4xx for what the caller sent, 503/500 for our faults.
 */
export function configureHttpInput(app: INestApplication, options: HttpInputOptions = {}): void {
  const express = app as NestExpressApplication;
  const parse = json({
    limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    strict: true,
    type: () => true,
    verify: (request, _response, buffer) => {
      if (options.rawBody) (request as Request & { rawBody?: Buffer }).rawBody = buffer;
      const scan = scanJson(buffer);
      if (scan.problem) throw new RefusedBeforeParsing(scan.problem);
      (request as Request & { [SUSPECT_ESCAPES]?: boolean })[SUSPECT_ESCAPES] = scan.suspectEscapes;
    },
  });
  express.use(refuseHostileUrl);
  express.use((request: Request, response: Response, next: NextFunction) => {
    if (!hasBody(request)) {
      next();
      return;
    }
    if (!request.is(['application/json', '+json'])) {
      const type = request.headers['content-type'];
      recordInputProblem(request, {
        reason: 'unsupported_media_type',
        message: `the body is ${type ? `"${type.slice(0, 100)}"` : 'without a content-type'}: send application/json`,
      });
      next();
      return;
    }
    parse(request, response, (error?: unknown) => {
      const checkStrings = (request as Request & { [SUSPECT_ESCAPES]?: boolean })[SUSPECT_ESCAPES] !== false;
      const problem = error === undefined ? jsonValueProblem(request.body, { checkStrings }) : parserProblemOf(error);
      if (problem) {
        recordInputProblem(request, problem);
        request.body = undefined;
      }
      next();
    });
  });
  app.useGlobalGuards(new InputProblemGuard());
  app.useGlobalFilters(options.errorFilter ?? new HttpErrorFilter());
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function parserProblemOf(error: unknown): InputProblem {
  if (error instanceof RefusedBeforeParsing) return error.problem;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof RefusedBeforeParsing) return cause.problem;
  const { status, body } = httpErrorOf(error);
  const reason = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'malformed_json';
  return { reason, message: typeof body['message'] === 'string' ? body['message'] : 'the body is not valid JSON' };
}

/** Path segments and query values must decode, and hold neither U+0000 nor a lone surrogate. */
function refuseHostileUrl(request: Request, _response: Response, next: NextFunction): void {
  const url = request.originalUrl ?? request.url;
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      next(new HttpInputError({ reason: 'malformed_url', message: 'the path is not valid percent-encoded UTF-8' }));
      return;
    }
    const problem = textProblem(decoded, 'a path segment');
    if (problem) {
      next(new HttpInputError({ ...problem, reason: problem.reason }));
      return;
    }
  }
  if (query >= 0) {
    for (const [key, value] of new URLSearchParams(url.slice(query + 1))) {
      const problem =
        textProblem(key, 'a query parameter name') ?? textProblem(value, `the query parameter ${JSON.stringify(key.slice(0, 40))}`);
      if (problem) {
        next(new HttpInputError(problem));
        return;
      }
    }
  }
  next();
}
