import { WhatsAppErrorCategory } from '@wt/whatsapp';

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  marketingLimitRetryMs: number;
  marketingLimitMaxRetries: number;
  unreachableForMs: number;
  campaignPauseMs: number;
}

/** What the dispatcher does about one refused or failed send. Every branch is published on `whatsapp.message-status.v1`. */
export type SendConsequence =
  /** Send it again after `delayMs` (persisted: a restart neither loses nor repeats it). */
  | { action: 'retry'; delayMs: number; marketingLimit: boolean }
  /** Final: nothing more is tried (`reason` says why, for logs). */
  | { action: 'give-up'; reason: string }
  /** 131050: the person stopped marketing from this business: a `consent.v1` revocation. */
  | { action: 'revoke-consent' }
  /** 131026: skip this person's sends until `forMs` has passed. */
  | { action: 'mark-unreachable'; forMs: number }
  /** 131048: pause the business's campaigns for `forMs`; this message waits for the end of the pause. */
  | { action: 'pause-campaigns'; forMs: number }
  /** 190 and other account errors: stop every send and alert; this message waits for sending to resume. */
  | { action: 'halt-sending' };

export interface FailedSend {
  category: WhatsAppErrorCategory;
  kind: 'template' | 'text';
  /** Attempts made so far, this one included. */
  attempts: number;
  marketingLimitRetries: number;
}

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * base·2^(n-1), capped (so replicas retrying together spread out).
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Meta's error category to the platform's consequence. Pure: the ledger and the webhook apply it. */
export function consequenceOf(failure: FailedSend, policy: RetryPolicy, random: () => number = Math.random): SendConsequence {
  const C = WhatsAppErrorCategory;
  switch (failure.category) {
    case C.Retry:
      if (failure.attempts >= policy.maxAttempts)
        return { action: 'give-up', reason: `transient errors on all ${policy.maxAttempts} attempts` };
      return {
        action: 'retry',
        delayMs: backoffMs(failure.attempts, policy.retryBaseMs, policy.retryMaxMs, random),
        marketingLimit: false,
      };
    case C.RetryLater:
      // The per-user marketing limit concerns marketing templates; a free-form reply is not held by it.
      if (failure.kind !== 'template') return { action: 'give-up', reason: 'per-user marketing limit on a non-template message' };
      if (failure.marketingLimitRetries >= policy.marketingLimitMaxRetries)
        return { action: 'give-up', reason: `per-user marketing limit after ${policy.marketingLimitMaxRetries} later retries` };
      return {
        action: 'retry',
        // Growing intervals: base, 2·base, 4·base... with ±10% jitter.
        delayMs: Math.round(policy.marketingLimitRetryMs * 2 ** failure.marketingLimitRetries * (0.9 + 0.2 * random())),
        marketingLimit: true,
      };
    case C.RevokeConsent:
      return { action: 'revoke-consent' };
    case C.MarkUnreachable:
      return { action: 'mark-unreachable', forMs: policy.unreachableForMs };
    case C.RequireTemplate:
      // Outside the 24 h window a free-form message can never go through: never retried as free-form.
      return { action: 'give-up', reason: 'outside the customer-service window (only a template can reach the person)' };
    case C.PauseCampaigns:
      return { action: 'pause-campaigns', forMs: policy.campaignPauseMs };
    case C.HaltSending:
      return { action: 'halt-sending' };
    case C.Permanent:
      return { action: 'give-up', reason: 'permanent error' };
  }
}
