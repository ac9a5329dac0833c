import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { ProfilesConfig } from '../profiles.config';
import { OperationsTokenGuard } from './operations-token.guard';
import { hidePhoneInPath, redactProfileUrl } from './redact-profile-url.middleware';

const TOKEN = 'ops-token-0123456789abcdef0123456789';

function guard(token: string | undefined): OperationsTokenGuard {
  return new OperationsTokenGuard(Object.assign(new ProfilesConfig(), { OPERATIONS_TOKEN: token }));
}

function call(authorization?: string): ExecutionContext {
  const headers = authorization === undefined ? {} : { authorization };
  return { switchToHttp: () => ({ getRequest: () => ({ headers }) }) } as unknown as ExecutionContext;
}

describe('OperationsTokenGuard', () => {
  it('lets the right bearer token through', () => {
    expect(guard(TOKEN).canActivate(call(`Bearer ${TOKEN}`))).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['wrong', 'Bearer ops-token-0123456789abcdef0123456780'],
    ['truncated', `Bearer ${TOKEN.slice(0, 10)}`],
    ['not a bearer', TOKEN],
  ])('refuses a %s token with 401', (_case, header) => {
    expect(() => guard(TOKEN).canActivate(call(header))).toThrow(UnauthorizedException);
  });

  it('refuses everything when no token is configured', () => {
    expect(() => guard(undefined).canActivate(call('Bearer undefined'))).toThrow(UnauthorizedException);
  });
});

describe('redactProfileUrl', () => {
  it.each([
    ['/v1/profiles/+33612345678', '/v1/profiles/[redacted]'],
    ['/v1/profiles/%2B33612345678/export', '/v1/profiles/[redacted]/export'],
    ['/v1/profiles/0612345678?x=1', '/v1/profiles/[redacted]?x=1'],
    ['/health/ready', '/health/ready'],
  ])('%s → %s', (url, expected) => {
    expect(redactProfileUrl(url)).toBe(expected);
  });
});

describe('hidePhoneInPath', () => {
  it('leaves no number in url nor originalUrl, and routing still sees the route shape', () => {
    const req: { url: string; originalUrl: string } = {
      url: '/v1/profiles/%2B33612345678/export',
      originalUrl: '/v1/profiles/%2B33612345678/export',
    };
    const next = jest.fn();
    hidePhoneInPath(req, undefined, next);
    expect(next).toHaveBeenCalledTimes(1);
    expect(req).toMatchObject({ url: '/v1/profiles/[redacted]/export', originalUrl: '/v1/profiles/[redacted]/export' });
    expect(JSON.stringify(req)).not.toContain('612345678');
  });

  it('leaves other routes alone', () => {
    const req = { url: '/health/ready', originalUrl: '/health/ready' };
    hidePhoneInPath(req, undefined, () => undefined);
    expect(req).toEqual({ url: '/health/ready', originalUrl: '/health/ready' });
  });
});
