import { Injectable, Logger } from '@nestjs/common';
import { type BusinessSendingSignalV1, type ConsentEventV1, type MessageStatusV1, Topic } from '@wt/contracts';
import { ContactSealer } from '@wt/identity';
import { type OutgoingRecord, type TopicRecords } from '@wt/kafka';
import { counter, gauge } from '@wt/observability';
import { createHash } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';
import { DispatchLedger, type LedgerRow } from './dispatch-ledger';
import { type OutcomePolicy, type RecordedOutcome, refusalOf, type SendConsequence } from './send-consequence';

/** A send that found the key vault unreachable is tried again after this long (nothing was sent). */
const VAULT_RETRY_MS = 5000;

const consequences = counter({
  name: 'wt_dispatch_consequence_total',
  help: 'Consequences applied to WhatsApp errors',
  labelNames: ['action', 'code'],
});

export const sendingHalted = gauge({
  name: 'wt_dispatch_sending_halted',
  help: '1 while sending is halted (access token or account error): alert on it',
});

/** Records to publish for what happened; the caller publishes them after its transaction's writes. */
export class OutcomeRecords {
  readonly statuses: OutgoingRecord<MessageStatusV1>[] = [];
  readonly consents: OutgoingRecord<ConsentEventV1>[] = [];
  readonly signals: OutgoingRecord<BusinessSendingSignalV1>[] = [];

  batches(): TopicRecords[] {
    return [
      { topic: Topic.WhatsappMessageStatusV1, records: this.statuses },
      { topic: Topic.ConsentV1, records: this.consents },
      { topic: Topic.BusinessSendingSignalsV1, records: this.signals },
    ];
  }
}

export function statusBase(row: LedgerRow, reportedBy: 'dispatcher' | 'webhook' = 'dispatcher') {
  return {
    decisionId: row.decisionId,
    ...(row.campaignId ? { campaignId: row.campaignId } : {}),
    businessId: row.businessId,
    personId: row.personId,
    occurredAt: new Date().toISOString(),
    reportedBy,
  };
}

/** Headers of a status: the trace of the decision it reports on (a new trace when the send had none). */
export function traceOf(row: LedgerRow): Record<string, string> | undefined {
  return row.traceparent ? { traceparent: row.traceparent } : undefined;
}

/** Fingerprint of the access token: a halt recorded under one token is lifted by rotating it. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

const contactsUnopened = counter({
  name: 'wt_dispatch_contact_unopened_total',
  help: 'Sends not made because the contact did not open (erased: person key deleted)',
  labelNames: ['reason'],
});

const usMarketing = counter({
  name: 'wt_dispatch_us_marketing_suppressed_total',
  help: 'Marketing templates to US (+1) numbers not sent: Meta delivers none since 2025-04-01',
});

/**
 * Records what a send's answer does to it (`SendOutcome`, decided by `outcomeOf`): the ledger's one
 * statement, then what to publish (added to `out`; the caller publishes it after its writes), the
 * metrics and the logs. The one place for the sender's answers and for the failed messages the
 * webhook reports, whose writes go through its transaction (`manager`).
 */
@Injectable()
export class SendOutcomes {
  private readonly logger = new Logger(SendOutcomes.name);
  readonly policy: OutcomePolicy;
  readonly fingerprint: string;
  private readonly scope: { tokenFingerprint: string; portfolioWindowMs: number };

  constructor(
    private readonly ledger: DispatchLedger,
    private readonly sealer: ContactSealer,
    config: DispatcherConfig,
  ) {
    this.policy = {
      maxAttempts: config.MAX_ATTEMPTS,
      retryBaseMs: config.RETRY_BASE_MS,
      retryMaxMs: config.RETRY_MAX_MS,
      marketingLimitRetryMs: config.MARKETING_LIMIT_RETRY_MS,
      marketingLimitMaxRetries: config.MARKETING_LIMIT_MAX_RETRIES,
      unreachableForMs: config.UNREACHABLE_FOR_MS,
      campaignPauseMs: config.CAMPAIGN_PAUSE_MS,
      vaultRetryMs: VAULT_RETRY_MS,
      mmApiFallback: config.MM_API_FALLBACK,
      mmApiRetryMs: config.MM_API_RETRY_MS,
    };
    this.fingerprint = tokenFingerprint(config.WHATSAPP_ACCESS_TOKEN);
    this.scope = { tokenFingerprint: this.fingerprint, portfolioWindowMs: config.PORTFOLIO_WINDOW_MS };
  }

  /** A message Meta reports `failed` (by webhook, in its transaction): its consequence; the webhook publishes the status. */
  async failed(
    manager: EntityManager,
    row: LedgerRow,
    failure: { code: number; title: string; wamid: string },
    out: OutcomeRecords,
  ): Promise<SendConsequence> {
    const outcome = refusalOf(row, failure, this.policy);
    await this.apply(row, outcome, out, manager);
    return outcome.consequence;
  }

  /** The sender's answer to a send it claimed, its status published with the error (the webhook publishes only later ones). */
  async record(row: LedgerRow, outcome: RecordedOutcome, out: OutcomeRecords): Promise<void> {
    // Fenced by the claim's epoch: a replica that froze past its claim changes nothing of the send,
    // and reports nothing of it (another replica did: `failed`, or its own claim's answer).
    if (!(await this.apply(row, outcome, out, undefined, row.claimEpoch))) {
      this.logger.warn(
        `decision ${row.decisionId}: resolved or claimed again while this replica was away (frozen past its claim): its answer (${outcome.action}) is not recorded`,
      );
      return;
    }
    const rejected =
      outcome.action === 'refused'
        ? { code: outcome.code, title: `${outcome.title} (${outcome.consequence.action})` }
        : outcome.action === 'drop' && outcome.title !== undefined
          ? { code: outcome.code, title: outcome.title }
          : undefined;
    if (!rejected) return;
    out.statuses.push({
      key: row.personId,
      headers: traceOf(row),
      value: {
        ...statusBase(row),
        status: 'rejected',
        ...(rejected.code === null ? {} : { errorCode: rejected.code }),
        errorTitle: rejected.title,
      },
    });
  }

  private async apply(
    row: LedgerRow,
    outcome: RecordedOutcome,
    out: OutcomeRecords,
    manager?: EntityManager,
    claim?: string,
  ): Promise<boolean> {
    const { pausedUntil, written } = await this.ledger.record(row, outcome, this.scope, manager, claim);
    switch (outcome.action) {
      case 'in-doubt':
        if (written) this.logger.warn(`decision ${row.decisionId}: no answer from WhatsApp (${outcome.reason}); left unknown, not resent`);
        return written;
      case 'drop':
        if (outcome.why === 'us-marketing') usMarketing.inc();
        if (outcome.why === 'erased' || outcome.why === 'invalid') contactsUnopened.inc({ reason: outcome.why });
        // `erased`: the person's key was deleted (GDPR erasure), no copy of the number opens any more.
        // `invalid`: sealed under another key or corrupt. Either way it can never be sent.
        if (outcome.why === 'erased') this.logger.warn(`decision ${row.decisionId}: the person was erased; suppressed, not sent`);
        if (outcome.why === 'invalid') this.logger.error(`decision ${row.decisionId}: contact cannot be opened; rejected, not sent`);
        return written;
      case 'hold-for-portfolio':
        this.logger.warn(
          `business ${row.businessId}: Meta refused a template over the portfolio's messaging limit (${outcome.code}); held until its window frees a place`,
        );
        return written;
      case 'later':
      case 'wait-for-template':
        return written;
      case 'refused':
        // What the refusal says of the business or the person (a pause, a halt, a revocation) is Meta's, whoever's claim it was.
        await this.refused(row, outcome, out, pausedUntil);
        return written;
    }
  }

  /** What a refusal's consequence publishes, counts and logs (the ledger wrote it). */
  private async refused(
    row: LedgerRow,
    { code, httpStatus, title, consequence }: Extract<RecordedOutcome, { action: 'refused' }>,
    out: OutcomeRecords,
    pausedUntil: Date | undefined,
  ): Promise<void> {
    consequences.inc({ action: consequence.action, code: String(code ?? httpStatus ?? '') });
    const now = new Date().toISOString();
    switch (consequence.action) {
      case 'retry':
      case 'mark-unreachable':
        return;
      case 'give-up':
        this.logger.warn(`decision ${row.decisionId}: ${code ?? httpStatus} ${title}: ${consequence.reason}; not retried`);
        return;
      case 'revoke-consent': {
        // An erased person's contact no longer opens: nothing left to revoke for them.
        const opened = row.message ? await this.sealer.open(row.message.contact, { fresh: true }) : undefined;
        if (!opened?.ok) return;
        // Named by personId: the number never travels in clear on consent.v1.
        out.consents.push({
          key: row.personId,
          value: {
            personId: row.personId,
            purpose: 'whatsapp_marketing',
            businessId: row.businessId,
            status: 'revoked',
            occurredAt: now,
            source: 'whatsapp-error-131050',
            assertedVia: 'whatsapp_webhook',
            assertedBy: 'dispatcher',
          },
        });
        return;
      }
      case 'pause-campaigns': {
        const until = pausedUntil ?? new Date(Date.now() + consequence.forMs);
        this.logger.warn(`business ${row.businessId}: spam rate limit (${code}); campaigns paused until ${until.toISOString()}`);
        out.signals.push({
          key: row.businessId,
          value: {
            businessId: row.businessId,
            phoneNumberId: row.phoneNumberId,
            signal: 'campaigns_paused',
            errorCode: code ?? 131048,
            reason: title,
            until: until.toISOString(),
            occurredAt: now,
          },
        });
        return;
      }
      case 'halt-sending':
        sendingHalted.set(1);
        this.logger.error(
          `SENDING HALTED: WhatsApp refused the access token or account (${code} ${title}); replace WHATSAPP_ACCESS_TOKEN to resume`,
        );
        out.signals.push({
          key: '*',
          value: { businessId: '*', signal: 'sending_halted', errorCode: code ?? 190, reason: title, occurredAt: now },
        });
        return;
    }
  }
}
