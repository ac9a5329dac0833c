import { Injectable, type PipeTransform } from '@nestjs/common';
import type { SendMessageRequest } from '@wt/whatsapp';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { GraphApiError } from '../graph/graph-api.error';
import { SendMessageDto } from './send-message.dto';

/** Validates a send body and answers the first problem as Graph error 100 naming the parameter. */
@Injectable()
export class SendMessagePipe implements PipeTransform<unknown, SendMessageRequest> {
  transform(body: unknown): SendMessageRequest {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw GraphApiError.invalidParameter('messaging_product', 'missing');
    }
    const errors = validateSync(plainToInstance(SendMessageDto, body), {
      forbidUnknownValues: true,
    });
    const first = firstProblem(errors);
    if (first) throw GraphApiError.invalidParameter(first.path, first.missing ? 'missing' : first.problem);
    // Validated: the original body (not the DTO instance) is what gets stored and echoed.
    return body as SendMessageRequest;
  }
}

interface Problem {
  path: string;
  missing: boolean;
  problem: string;
}

function firstProblem(errors: ValidationError[], parent = ''): Problem | undefined {
  for (const error of errors) {
    const path = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      const messages = Object.values(error.constraints);
      // class-validator messages start with the property name: keep what follows it.
      const problem = (messages[0] ?? 'is invalid').replace(new RegExp(`^${error.property}\\s+`), '');
      return { path, missing: error.value === undefined || error.value === null, problem };
    }
    const nested = firstProblem(error.children ?? [], path);
    if (nested) return nested;
  }
  return undefined;
}
