import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SandboxConfig } from '../sandbox.config';
import { GraphApiError } from './graph-api.error';

/** Checks `Authorization: Bearer <token>` against SANDBOX_ACCESS_TOKEN in constant time; Graph error 190 otherwise. */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: SandboxConfig) {
    this.expected = sha256(config.SANDBOX_ACCESS_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<IncomingMessage>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(sha256(match[1]), this.expected)) throw GraphApiError.invalidAccessToken();
    return true;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
