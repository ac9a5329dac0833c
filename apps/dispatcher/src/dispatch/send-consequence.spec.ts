import { classifyWhatsAppError, whatsAppErrorTitle } from '@wt/whatsapp';
import {
  backoffMs,
  consequenceOf,
  type FailedSend,
  isPortfolioLimitRefusal,
  type OutcomePolicy,
  outcomeOf,
  refusalOf,
  type RetryPolicy,
  US_MARKETING_TITLE,
} from './send-consequence';

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

describe('isPortfolioLimitRefusal', () => {
  it("tells Meta's portfolio messaging limit (131048 with its details) from the spam rate limit (131048)", () => {
    expect(
      isPortfolioLimitRefusal(
        'Message failed to send because the business portfolio reached its messaging limit: unique recipients in a moving 24-hour period.',
      ),
    ).toBe(true);
    expect(
      isPortfolioLimitRefusal(
        'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.',
      ),
    ).toBe(false);
    expect(isPortfolioLimitRefusal(undefined)).toBe(false);
  });
});

describe('outcomeOf', () => {
  const outcomePolicy: OutcomePolicy = { ...policy, vaultRetryMs: 5000, mmApiFallback: 'cloud_api', mmApiRetryMs: 600_000 };
  const send = { kind: 'template' as const, attempts: 1, marketingLimitRetries: 0 };
  const rejected = (code: number | null, details?: string) =>
    ({ kind: 'rejected', httpStatus: 400, code, title: `error ${code}`, category: classifyWhatsAppError(code), details }) as const;

  it('keeps an accepted send and one that never left in the sender; leaves a send without answer in doubt', () => {
    expect(outcomeOf(send, { kind: 'accepted', wamid: 'wamid.1', waId: '' }, outcomePolicy)).toEqual({
      action: 'accept',
      wamid: 'wamid.1',
    });
    expect(outcomeOf(send, { kind: 'late' }, outcomePolicy)).toEqual({ action: 'send-again', viaCloudApi: false });
    expect(outcomeOf(send, { kind: 'unknown', reason: 'timeout', detail: '' }, outcomePolicy)).toEqual({
      action: 'in-doubt',
      reason: 'timeout',
    });
    expect(outcomeOf(send, { kind: 'unknown', reason: 'network', detail: '' }, outcomePolicy)).toEqual({
      action: 'in-doubt',
      reason: 'network',
    });
  });

  it('retries a refused connection like a 503 (nothing reached Meta), with backoff', () => {
    expect(outcomeOf(send, { kind: 'unknown', reason: 'refused', detail: 'ECONNREFUSED' }, outcomePolicy, false, () => 1)).toEqual({
      action: 'refused',
      code: null,
      httpStatus: 503,
      title: 'connection refused: ECONNREFUSED',
      consequence: { action: 'retry', delayMs: 1000, marketingLimit: false },
      maintenance: false,
    });
  });

  it('rejects what cannot be sent, with the reason it publishes, and retries a send the vault could not open', () => {
    expect(outcomeOf(send, { kind: 'unsent', why: 'erased' }, outcomePolicy)).toEqual({
      action: 'drop',
      why: 'erased',
      code: null,
      title: 'Contact erased (person key deleted): not sent',
    });
    expect(outcomeOf(send, { kind: 'unsent', why: 'us-marketing' }, outcomePolicy)).toEqual({
      action: 'drop',
      why: 'us-marketing',
      code: 131049,
      title: US_MARKETING_TITLE,
    });
    expect(outcomeOf(send, { kind: 'unsent', why: 'no-message' }, outcomePolicy)).toEqual({
      action: 'drop',
      why: 'no-message',
      code: null,
    });
    expect(outcomeOf(send, { kind: 'unsent', why: 'vault-unavailable' }, outcomePolicy)).toEqual({
      action: 'later',
      delayMs: 5000,
      code: null,
    });
  });

  it('a template the Marketing Messages API does not have yet (131009) goes through the Cloud API, or later, as configured', () => {
    expect(outcomeOf(send, rejected(131009), outcomePolicy, true)).toEqual({ action: 'send-again', viaCloudApi: true });
    expect(outcomeOf(send, rejected(131009), { ...outcomePolicy, mmApiFallback: 'none' }, true)).toEqual({
      action: 'later',
      delayMs: 600_000,
      code: 131009,
    });
    // Through the Cloud API, 131009 is an ordinary refusal.
    expect(outcomeOf(send, rejected(131009), outcomePolicy, false).action).toBe('refused');
  });

  it('waits for a paused or disabled template instead of applying a consequence', () => {
    expect(outcomeOf(send, rejected(132015), outcomePolicy)).toEqual({
      action: 'wait-for-template',
      code: 132015,
      templateStatus: 'PAUSED',
    });
    expect(outcomeOf(send, rejected(132016), outcomePolicy)).toEqual({
      action: 'wait-for-template',
      code: 132016,
      templateStatus: 'DISABLED',
    });
  });

  it("tells the portfolio's messaging limit (held for its window) from the spam rate limit (campaigns paused)", () => {
    const limit = 'Message failed to send because the business portfolio reached its messaging limit';
    expect(outcomeOf(send, rejected(131048, limit), outcomePolicy)).toEqual({ action: 'hold-for-portfolio', code: 131048 });
    const spam = outcomeOf(send, rejected(131048, 'too many previous messages were blocked'), outcomePolicy);
    expect(spam).toMatchObject({ action: 'refused', consequence: { action: 'pause-campaigns', forMs: 1_800_000 } });
    // A free-form reply is not held by a limit on templates.
    expect(outcomeOf({ ...send, kind: 'text' }, rejected(131048, limit), outcomePolicy)).toMatchObject({
      action: 'refused',
      consequence: { action: 'pause-campaigns' },
    });
  });

  it('marks 131057 as the number in maintenance, and retries it', () => {
    expect(outcomeOf(send, rejected(131057), outcomePolicy, false, () => 1)).toMatchObject({
      action: 'refused',
      code: 131057,
      maintenance: true,
      consequence: { action: 'retry', delayMs: 1000 },
    });
  });

  it("names a refusal by Meta's title, else by its code's, else by the HTTP status", () => {
    expect(refusalOf(send, { code: 131026, title: 'Message undeliverable' }, policy).title).toBe('Message undeliverable');
    expect(refusalOf(send, { code: 131026 }, policy).title).toBe(whatsAppErrorTitle(131026));
    expect(refusalOf(send, { code: null, httpStatus: 502 }, policy).title).toBe('HTTP 502');
  });
});
