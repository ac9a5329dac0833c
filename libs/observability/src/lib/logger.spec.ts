import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from './logger';

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
});
