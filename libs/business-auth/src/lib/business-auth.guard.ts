import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { type Request } from 'express';
import { ApiKeyStore } from './api-key.store';

type AuthenticatedRequest = Request & { businessId?: string };

/**
 * Every business route needs `Authorization: Bearer wtk_...` (or `X-Api-Key: wtk_...`).
 * A missing, malformed, unknown or revoked key gets 401; the business is then fixed by the key.
 */
@Injectable()
export class BusinessAuthGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : request.headers['x-api-key'];
    if (typeof presented !== 'string' || presented.length === 0) throw new UnauthorizedException('an API key is required');
    const businessId = await this.keys.authenticate(presented);
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
