import { classifyWhatsAppError, type SendResult, whatsAppErrorTitle, WhatsAppErrorCategory } from '@wt/whatsapp';

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

/** Why a claimed send makes no call: nothing reaches Meta. */
export type Unsent = 'no-message' | 'erased' | 'invalid' | 'us-marketing' | 'vault-unavailable';

/** What came of one claimed send: the platform's answer, or why no call was made. */
export type SendAnswer = SendResult | { kind: 'unsent'; why: Unsent };

/**
 * What one send's answer does to it, decided by `outcomeOf`. Apart from `accept` (written with the
 * next batch of accepted sends) and `send-again` (not written), each is recorded in one statement
 * (`DispatchLedger.record`) and published by `SendOutcomes`.
 */
export type SendOutcome =
  /** Meta took it (a wamid). */
  | { action: 'accept'; wamid: string }
  /**
   * Nothing reached Meta and it may go at once: first in line again in this replica's queue
   * (no connection in time; or through the Cloud API, the Marketing Messages API not having the template yet).
   */
  | { action: 'send-again'; viaCloudApi: boolean }
  /** No answer (a timeout, a lost connection): Meta may have it. `unknown`, never resent: its status webhook settles it. */
  | { action: 'in-doubt'; reason: 'timeout' | 'network' }
  /** Nothing reached Meta and it never can: rejected, published with `title` (none: nothing to publish). */
  | { action: 'drop'; why: Exclude<Unsent, 'vault-unavailable'>; code: number | null; title?: string }
  /** Nothing reached Meta: pending again after `delayMs` (the vault unreachable; the Marketing Messages API's `none` fallback). */
  | { action: 'later'; delayMs: number; code: number | null }
  /** 132015/132016: Meta paused or disabled the template before its webhook came; the send waits for the template. */
  | { action: 'wait-for-template'; code: number; templateStatus: 'PAUSED' | 'DISABLED' }
  /** 131048 over the business portfolio's messaging limit: the send waits for its window (not the spam pause). */
  | { action: 'hold-for-portfolio'; code: number }
  /**
   * Meta refused it (or no connection was ever made: `code` null, HTTP 503): the error's consequence,
   * published with `title`. `maintenance`: 131057, the number's sends are held for a while.
   */
  | { action: 'refused'; code: number | null; httpStatus?: number; title: string; consequence: SendConsequence; maintenance: boolean };

/** The outcomes the ledger records (the others stay in the sender). */
export type RecordedOutcome = Exclude<SendOutcome, { action: 'accept' | 'send-again' }>;

export const US_MARKETING_TITLE =
  'Not sent: Meta delivers no marketing template to US (+1) numbers since 2025-04-01 (us_marketing_restriction)';

const UNSENT_TITLES: Record<Exclude<Unsent, 'vault-unavailable'>, string | undefined> = {
  'no-message': undefined,
  erased: 'Contact erased (person key deleted): not sent',
  invalid: 'Contact cannot be opened (not sealed for this platform): not sent',
  'us-marketing': US_MARKETING_TITLE,
};

export interface OutcomePolicy extends RetryPolicy {
  /** A send that found the key vault unreachable is tried again after this long. */
  vaultRetryMs: number;
  /** MM_API_FALLBACK and MM_API_RETRY_MS: a template the Marketing Messages API does not have yet (131009). */
  mmApiFallback: 'cloud_api' | 'none';
  mmApiRetryMs: number;
}

/**
 * Whether a 131048 refusal is the portfolio's messaging limit rather than the spam rate limit: Meta
 * documents no code of its own for the messaging limit and answers 131048, telling them apart in
 * `error_data.details` (the sandbox does the same; see apps/whatsapp-sandbox/README.md).
 */
export function isPortfolioLimitRefusal(details: string | undefined): boolean {
  return details !== undefined && /messaging limit/i.test(details);
}

/** A refusal's consequence (by the API, or a failed message by webhook). `code` null: no Graph error, decided by `httpStatus`. */
export function refusalOf(
  send: Omit<FailedSend, 'category'>,
  failure: { code: number | null; httpStatus?: number; title?: string },
  policy: RetryPolicy,
  random: () => number = Math.random,
): Extract<SendOutcome, { action: 'refused' }> {
  const { code, httpStatus } = failure;
  return {
    action: 'refused',
    code,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    title: failure.title ?? (code === null ? `HTTP ${httpStatus ?? '?'}` : whatsAppErrorTitle(code)),
    consequence: consequenceOf({ ...send, category: classifyWhatsAppError(code, httpStatus) }, policy, random),
    maintenance: code === 131057,
  };
}

/**
 * The one decision about a send's answer. Pure: the sender keeps what stays in its queue, the
 * ledger records the rest in one statement. `viaMmApi`: the call went through the Marketing Messages API.
 */
export function outcomeOf(
  send: Omit<FailedSend, 'category'>,
  answer: SendAnswer,
  policy: OutcomePolicy,
  viaMmApi = false,
  random: () => number = Math.random,
): SendOutcome {
  switch (answer.kind) {
    case 'unsent':
      if (answer.why === 'vault-unavailable') return { action: 'later', delayMs: policy.vaultRetryMs, code: null };
      return {
        action: 'drop',
        why: answer.why,
        code: answer.why === 'us-marketing' ? 131049 : null,
        ...(UNSENT_TITLES[answer.why] === undefined ? {} : { title: UNSENT_TITLES[answer.why] }),
      };
    case 'late':
      // Nothing was written: it goes again, first in line.
      return { action: 'send-again', viaCloudApi: false };
    case 'accepted':
      return { action: 'accept', wamid: answer.wamid };
    case 'unknown':
      // The connection was never made: nothing reached Meta, so retrying cannot duplicate.
      if (answer.reason === 'refused')
        return refusalOf(send, { code: null, httpStatus: 503, title: `connection refused: ${answer.detail}` }, policy, random);
      return { action: 'in-doubt', reason: answer.reason };
    case 'rejected':
      if (viaMmApi && answer.code === 131009)
        // The template is not synced with the ad account yet (Meta: up to 10 minutes): the policy decides.
        return policy.mmApiFallback === 'cloud_api'
          ? { action: 'send-again', viaCloudApi: true }
          : { action: 'later', delayMs: policy.mmApiRetryMs, code: 131009 };
      if (answer.code === 132015 || answer.code === 132016)
        // Claims skip the send until message_template_status_update says APPROVED.
        return { action: 'wait-for-template', code: answer.code, templateStatus: answer.code === 132016 ? 'DISABLED' : 'PAUSED' };
      if (answer.code === 131048 && send.kind === 'template' && isPortfolioLimitRefusal(answer.details))
        // Meta counted the portfolio's messaging limit as reached (its tier lowered before its webhook
        // came, or another system sending for the portfolio): not the spam rate limit, so no hour-long
        // pause of the business; the send waits for the window, like one held at claim.
        return { action: 'hold-for-portfolio', code: answer.code };
      return refusalOf(send, { code: answer.code, httpStatus: answer.httpStatus, title: answer.title }, policy, random);
  }
}
