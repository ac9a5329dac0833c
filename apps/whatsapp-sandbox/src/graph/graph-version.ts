import type { INestApplication } from '@nestjs/common';
import { graphApiVersionState } from '@wt/whatsapp';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphApiError } from './graph-api.error';
import { sendJson } from './send-json';

/** Graph API paths start with a version: `/v25.0/...`. */
const VERSIONED_PATH = /^\/(v\d+\.\d+)\//;

/** The header in which Graph names the version that served a call. */
export const API_VERSION_HEADER = 'facebook-api-version';

/**
 * Versions the way Graph does (its version table: `@wt/whatsapp` graph-api-versions): a call to an
 * available version is served by it; a call to a retired version is served by the oldest version
 * still available (Meta upgrades such calls instead of refusing them); each answer names the
 * version that served it in `facebook-api-version`. A version Meta never released is refused
 * (400, code 100). `now` is read per request, so a long-running sandbox retires versions on time.
 */
export function serveGraphVersions(app: INestApplication, now: () => Date = () => new Date()): void {
  app.use((request: IncomingMessage, response: ServerResponse, next: () => void) => {
    const match = VERSIONED_PATH.exec(request.url ?? '');
    if (!match) return next();
    const version = match[1] as string;
    const state = graphApiVersionState(version, now());
    if (state.kind === 'unknown') {
      const error = new GraphApiError(400, 100, `(#100) Unknown API version: ${version}`, `${version} is not a Graph API version`);
      sendJson(response, error.httpStatus, error.toResponse());
      return;
    }
    response.setHeader(API_VERSION_HEADER, state.kind === 'retired' ? state.servedAs : version);
    next();
  });
}
