import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request } from 'express';
import { type ApiKeyPrincipal, type ApiKeyScope, ApiKeyStore } from './api-key.store';

type AuthenticatedRequest = Request & { businessId?: string; apiKey?: ApiKeyPrincipal };

/** The key of `Authorization: Bearer wtk_...`, else of `X-Api-Key: wtk_...`; 401 when there is none. */
function presentedKey(request: Request): string {
  const header = request.headers.authorization;
  const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : request.headers['x-api-key'];
  if (typeof presented !== 'string' || presented.length === 0) throw new UnauthorizedException('an API key is required');
  return presented;
}

/**
 * Every business route needs `Authorization: Bearer wtk_...` (or `X-Api-Key: wtk_...`).
 * A missing, malformed, unknown or revoked key gets 401; the business is then fixed by the key.
 */
@Injectable()
export class BusinessAuthGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const businessId = await this.keys.authenticate(presentedKey(request));
    if (!businessId) throw new UnauthorizedException('invalid API key');
    request.businessId = businessId;
    return true;
  }
}

/** The business authenticated by `BusinessAuthGuard`. */
export const BusinessId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const businessId = context.switchToHttp().getRequest<AuthenticatedRequest>().businessId;
  if (!businessId) throw new UnauthorizedException('not authenticated');
  return businessId;
});

const REQUIRED_SCOPE = 'wt:api-key-scope';

/** The scope a route (or every route of a controller) needs, checked by `ApiKeyScopeGuard`. */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/**
 * Routes open to business and producer keys alike, each route naming the scope it needs
 * (`@RequireScope`): a missing, malformed, unknown or revoked key gets 401, a valid key without the
 * scope 403. What the key is bound to (its business, its source) is then `@ApiKey()`'s; a route
 * checks that what it is sent belongs to it.
 */
@Injectable()
export class ApiKeyScopeGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyStore,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.keys.identify(presentedKey(request));
    if (!principal) throw new UnauthorizedException('invalid API key');
    const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (scope && !principal.scopes.includes(scope)) {
      throw new ForbiddenException(`this API key (${principal.keyId}) does not have the scope ${scope}`);
    }
    request.apiKey = principal;
    return true;
  }
}

/** The key authenticated by `ApiKeyScopeGuard`. */
export const ApiKey = createParamDecorator((_data: unknown, context: ExecutionContext): ApiKeyPrincipal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().apiKey;
  if (!principal) throw new UnauthorizedException('not authenticated');
  return principal;
});

/** The key a request was authenticated with, for per-key rate limits (undefined before the guard ran). */
export function apiKeyOf(request: unknown): ApiKeyPrincipal | undefined {
  return (request as AuthenticatedRequest).apiKey;
}
