import { redactPhones } from '@wt/identity';
import pino, { type Logger, type LoggerOptions } from 'pino';
import { activeTraceFields } from './trace-fields';

/** Fields that may carry a phone number, a sealed contact or a credential: never logged. */
export const REDACTED_PATHS = [
  'phone',
  '*.phone',
  'e164',
  '*.e164',
  'to',
  '*.to',
  'wa_id',
  '*.wa_id',
  'recipient_id',
  '*.recipient_id',
  'from',
  '*.from',
  'contact',
  '*.contact',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-hub-signature-256"]',
];

/**
 * Structured JSON logs (pino) with known sensitive fields removed and anything that looks like
 * a phone number masked in messages, so that a number never reaches a log line in clear. Every
 * line written inside a span (an HTTP request, a batch, a record's hop) carries its `trace_id` and
 * `span_id`.
 */
export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin: activeTraceFields,
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactPhones(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
}

export function createLogger(service: string, level = 'info'): Logger {
  return pino(loggerOptions(service, level));
}
