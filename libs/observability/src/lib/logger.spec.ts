import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from './logger';
import { installTraceContext } from './tracing';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino(loggerOptions('test', 'info'), stream), lines };
}

describe('loggerOptions', () => {
  it('removes phone, contact and token fields, nested too', () => {
    const { logger, lines } = capture();
    logger.info({ phone: '+33612345678', event: { phone: '+33612345678', type: 'like' }, token: 'secret-token' }, 'event');
    expect(JSON.stringify(lines[0])).not.toContain('612345678');
    expect(JSON.stringify(lines[0])).not.toContain('secret-token');
    expect(lines[0]).toMatchObject({ service: 'test', level: 'info', event: { type: 'like' } });
  });

  it('masks numbers written inside messages', () => {
    const { logger, lines } = capture();
    logger.warn('could not send to +33 6 12 34 56 78');
    expect(lines[0].msg).toBe('could not send to [phone]');
  });

  it('writes the trace id and span id of the active span into every line, and none outside a span', async () => {
    installTraceContext();
    const { logger, lines } = capture();
    const span = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    await context.with(trace.setSpanContext(ROOT_CONTEXT, span), async () => {
      logger.info('handling');
      // Across an await too: the context manager (AsyncLocalStorage) carries it.
      await new Promise((resolve) => setImmediate(resolve));
      logger.child({ route: '/v1/events' }).warn('still handling');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ trace_id: span.traceId, span_id: span.spanId, trace_flags: '01' });
    expect(lines[1]).toMatchObject({ trace_id: span.traceId, span_id: span.spanId, route: '/v1/events' });
    expect(lines[2]).not.toHaveProperty('trace_id');
  });
});
