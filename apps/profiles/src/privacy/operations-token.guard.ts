import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ProfilesConfig } from '../profiles.config';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `Authorization: Bearer <OPERATIONS_TOKEN>`. Compared in constant time (over SHA-256 digests, so
 * the length does not leak either); wrong, missing or not configured → 401.
 */
@Injectable()
export class OperationsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(config: ProfilesConfig) {
    this.expected = config.OPERATIONS_TOKEN ? digest(config.OPERATIONS_TOKEN) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer (.+)$/.exec(header) : null;
    if (!this.expected || !match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new UnauthorizedException('a valid operations token is required');
    }
    return true;
  }
}
