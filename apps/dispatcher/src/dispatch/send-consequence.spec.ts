import { classifyWhatsAppError } from '@wt/whatsapp';
import { backoffMs, consequenceOf, type FailedSend, type RetryPolicy } from './send-consequence';

const policy: RetryPolicy = {
  maxAttempts: 5,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  marketingLimitRetryMs: 3_600_000,
  marketingLimitMaxRetries: 3,
  unreachableForMs: 86_400_000,
  campaignPauseMs: 1_800_000,
};

function failed(code: number | null, overrides: Partial<FailedSend> = {}, httpStatus?: number): FailedSend {
  return { category: classifyWhatsAppError(code, httpStatus), kind: 'template', attempts: 1, marketingLimitRetries: 0, ...overrides };
}

describe('consequenceOf', () => {
  it.each([130429, 131056, 131057, 1, 2, 131016])('retries %i with backoff until the attempts run out', (code) => {
    expect(consequenceOf(failed(code), policy, () => 1)).toEqual({ action: 'retry', delayMs: 1000, marketingLimit: false });
    expect(consequenceOf(failed(code, { attempts: 3 }), policy, () => 1)).toEqual({
      action: 'retry',
      delayMs: 4000,
      marketingLimit: false,
    });
    expect(consequenceOf(failed(code, { attempts: 5 }), policy).action).toBe('give-up');
  });

  it('retries a 5xx without a Graph error', () => {
    expect(consequenceOf(failed(null, {}, 503), policy).action).toBe('retry');
  });

  it('retries 131049 at growing intervals up to a limit, templates only', () => {
    const delays = [0, 1, 2].map((retries) => {
      const c = consequenceOf(failed(131049, { marketingLimitRetries: retries }), policy, () => 0.5);
      return c.action === 'retry' ? c.delayMs : -1;
    });
    expect(delays).toEqual([3_600_000, 7_200_000, 14_400_000]);
    expect(consequenceOf(failed(131049, { marketingLimitRetries: 3 }), policy).action).toBe('give-up');
    expect(consequenceOf(failed(131049, { kind: 'text' }), policy).action).toBe('give-up');
  });

  it('maps the person and business codes to their consequences', () => {
    expect(consequenceOf(failed(131050), policy)).toEqual({ action: 'revoke-consent' });
    expect(consequenceOf(failed(131026), policy)).toEqual({ action: 'mark-unreachable', forMs: 86_400_000 });
    expect(consequenceOf(failed(131048), policy)).toEqual({ action: 'pause-campaigns', forMs: 1_800_000 });
    expect(consequenceOf(failed(190), policy)).toEqual({ action: 'halt-sending' });
  });

  it('never retries 131047 (outside the window) nor a permanent error', () => {
    expect(consequenceOf(failed(131047, { kind: 'text' }), policy).action).toBe('give-up');
    expect(consequenceOf(failed(132001), policy).action).toBe('give-up');
  });
});

describe('backoffMs', () => {
  it('doubles, stays within [half, all] of the step, and is capped', () => {
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const ceiling = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      expect(backoffMs(attempt, 1000, 60_000, () => 0)).toBe(ceiling / 2);
      expect(backoffMs(attempt, 1000, 60_000, () => 0.999999)).toBeLessThanOrEqual(ceiling);
    }
  });
});
