import { createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

const PHONE = Symbol('profile phone');
const PROFILE_PATH = /^(\/v1\/profiles\/)([^/?#]+)(.*)$/s;

interface UrlCarrier {
  url?: string;
  originalUrl?: string;
  [PHONE]?: string;
}

/** `/v1/profiles/+33612345678/export` → `/v1/profiles/[redacted]/export`. */
export function redactProfileUrl(url: string): string {
  return url.replace(PROFILE_PATH, '$1[redacted]$3');
}

/**
 * Takes the phone number out of the request path before anything else sees the request: the
 * number goes to a symbol property (never serialized), and `url`/`originalUrl` get `[redacted]`
 * instead. The HTTP logger (pino-http, mounted by nestjs-pino) serializes url and route params as
 * soon as its middleware runs, so redacting later (in a Nest middleware or the handler) is too late.
 */
export function hidePhoneInPath(req: UrlCarrier, _res: unknown, next: () => void): void {
  const match = PROFILE_PATH.exec(req.url ?? '');
  if (match) {
    let phone = match[2];
    try {
      phone = decodeURIComponent(phone);
    } catch {
      // Left as sent: the handler answers 400 for what is not a number.
    }
    req[PHONE] = phone;
    req.url = `${match[1]}[redacted]${match[3]}`;
    req.originalUrl = redactProfileUrl(req.originalUrl ?? req.url);
  }
  next();
}

/**
 * Mounts `hidePhoneInPath` on the Express app when the module is instantiated, which is before
 * Nest registers any middleware (the logger's included), so it runs first on every request.
 */
@Injectable()
export class ProfilePathRedaction {
  constructor(adapterHost: HttpAdapterHost) {
    adapterHost.httpAdapter?.use(hidePhoneInPath);
  }
}

/** The phone number of an operations route, as `hidePhoneInPath` kept it. */
export const PathPhone = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return context.switchToHttp().getRequest<UrlCarrier>()[PHONE] ?? '';
});
