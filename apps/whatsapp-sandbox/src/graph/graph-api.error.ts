import { randomBytes } from 'node:crypto';
import type { GraphErrorResponse } from '@wt/whatsapp';
import { whatsAppErrorTitle } from '@wt/whatsapp';

/** An error the sandbox answers in Graph API shape, `{ error: { message, type, code, error_data, fbtrace_id } }`. */
export class GraphApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly details?: string,
    readonly type: string = 'OAuthException',
  ) {
    super(message);
    this.name = 'GraphApiError';
  }

  toResponse(): GraphErrorResponse {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.code,
        ...(this.details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details: this.details } }),
        fbtrace_id: randomBytes(12).toString('base64url'),
      },
    };
  }

  static invalidAccessToken(): GraphApiError {
    return new GraphApiError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
  }

  /** Graph error 100 naming the offending parameter (a path like `template.language.code`). */
  static invalidParameter(parameter: string, problem: 'missing' | string): GraphApiError {
    const details = problem === 'missing' ? `The parameter ${parameter} is required.` : `Param ${parameter} ${problem}`.trim();
    return new GraphApiError(400, 100, `(#100) ${details}`, details);
  }

  static throughputExceeded(): GraphApiError {
    return new GraphApiError(
      400,
      130429,
      '(#130429) Rate limit hit',
      'Message failed to send because there were too many messages sent from this phone number in a short period of time.',
    );
  }

  static pairRateExceeded(): GraphApiError {
    return new GraphApiError(
      400,
      131056,
      '(#131056) (Business Account, Consumer Account) pair rate limit hit',
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    );
  }

  /** 131057: the number is in maintenance, as while Meta changes its throughput (up to a minute). */
  static maintenance(): GraphApiError {
    return new GraphApiError(
      400,
      131057,
      '(#131057) Account in maintenance mode',
      'Business account is in maintenance mode. This could be due to the account undergoing a throughput upgrade.',
    );
  }

  /**
   * Over the business portfolio's messaging limit. Meta documents no code of its own for it; 131048
   * is the code Meta documents for "restrictions on how many messages can be sent from this phone
   * number", the closest (see the README).
   */
  static messagingLimitReached(): GraphApiError {
    return new GraphApiError(
      400,
      131048,
      '(#131048) Spam rate limit hit',
      'Message failed to send because the business portfolio reached its messaging limit: unique recipients in a moving 24-hour period.',
    );
  }

  /** 132001: no approved template of this name in this language (Meta answers the same for both). */
  static templateNotFound(name: string, language: string): GraphApiError {
    return new GraphApiError(
      404,
      132001,
      '(#132001) Template name does not exist in the translation',
      `template name (${name}) does not exist in ${language}`,
    );
  }

  /** 132000: the body parameters given do not match the template's placeholders. */
  static templateParameterMismatch(expected: number, given: number): GraphApiError {
    return new GraphApiError(
      400,
      132000,
      '(#132000) Number of parameters does not match the expected number of params',
      `body: number of localizable_params (${given}) does not match the expected number of params (${expected})`,
    );
  }

  /** An injected fault: Meta's title for the code, and the HTTP status Meta answers it with unless one is given. */
  static injected(code: number, httpStatus?: number): GraphApiError {
    const title = whatsAppErrorTitle(code);
    return new GraphApiError(httpStatus ?? typicalHttpStatus(code), code, `(#${code}) ${title}`, `${title} (injected by the sandbox)`);
  }
}

/** The HTTP status Meta's error reference lists for a code (400 for most). */
export function typicalHttpStatus(code: number): number {
  if (code === 0 || code === 190) return 401;
  if (code === 10 || (code >= 200 && code <= 299)) return 403;
  if (code === 4 || code === 80007) return 429;
  if (code === 3 || code === 131000) return 500;
  if (code === 2 || code === 131016 || code === 133004) return 503;
  return 400;
}
