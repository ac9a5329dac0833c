import { Injectable, Logger } from '@nestjs/common';
import { type BusinessSendingSignalV1, type ConsentEventV1, type MessageStatusV1, Topic } from '@wt/contracts';
import { ContactSealer } from '@wt/identity';
import { type OutgoingRecord, type TopicRecords } from '@wt/kafka';
import { counter, gauge } from '@wt/observability';
import { classifyWhatsAppError, whatsAppErrorTitle } from '@wt/whatsapp';
import { createHash } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';
import { DispatchLedger, type LedgerRow } from './dispatch-ledger';
import { consequenceOf, type RetryPolicy, type SendConsequence } from './send-consequence';

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

/**
 * Applies the consequence of a refused send (by the API) or a failed message (by webhook):
 * retry, revoke consent, mark unreachable, pause campaigns, halt sending or give up. Writes go
 * through `manager` (the caller's transaction); what to publish is added to `out`.
 */
@Injectable()
export class SendOutcomes {
  private readonly logger = new Logger(SendOutcomes.name);
  private readonly policy: RetryPolicy;
  readonly fingerprint: string;

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
    };
    this.fingerprint = tokenFingerprint(config.WHATSAPP_ACCESS_TOKEN);
  }

  /** `code` null: no Graph error (a bare 5xx, a refused connection): decided by `httpStatus`. */
  async failed(
    manager: EntityManager,
    row: LedgerRow,
    failure: { code: number | null; httpStatus?: number; title?: string; stage: 'rejected' | 'failed'; wamid?: string },
    out: OutcomeRecords,
  ): Promise<SendConsequence> {
    const consequence = consequenceOf(
      {
        category: classifyWhatsAppError(failure.code, failure.httpStatus),
        kind: row.kind,
        attempts: row.attempts,
        marketingLimitRetries: row.marketingLimitRetries,
      },
      this.policy,
    );
    const code = failure.code;
    const title = failure.title ?? (code === null ? `HTTP ${failure.httpStatus ?? '?'}` : whatsAppErrorTitle(code));
    consequences.inc({ action: consequence.action, code: String(code ?? failure.httpStatus ?? '') });
    const now = new Date().toISOString();
    switch (consequence.action) {
      case 'retry':
        await this.ledger.retry(row.decisionId, consequence.delayMs, code, consequence.marketingLimit, manager);
        break;
      case 'give-up':
        await this.ledger.rejected(row.decisionId, code, manager);
        this.logger.warn(`decision ${row.decisionId}: ${code ?? failure.httpStatus} ${title}: ${consequence.reason}; not retried`);
        break;
      case 'revoke-consent': {
        await this.ledger.rejected(row.decisionId, code, manager);
        // An erased person's contact no longer opens: nothing left to revoke for them.
        const opened = row.message ? await this.sealer.open(row.message.contact, { fresh: true }) : undefined;
        if (opened?.ok) {
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
        }
        break;
      }
      case 'mark-unreachable':
        await this.ledger.rejected(row.decisionId, code, manager);
        await manager.query(
          `INSERT INTO unreachable_recipient (person_id, until, error_code) VALUES ($1, now() + $2 * interval '1 millisecond', $3)
           ON CONFLICT (person_id) DO UPDATE SET until = EXCLUDED.until, error_code = EXCLUDED.error_code`,
          [row.personId, consequence.forMs, code ?? 131026],
        );
        break;
      case 'pause-campaigns': {
        const rows = (await manager.query(
          `INSERT INTO business_pause (business_id, until, error_code) VALUES ($1, now() + $2 * interval '1 millisecond', $3)
           ON CONFLICT (business_id) DO UPDATE SET until = EXCLUDED.until, error_code = EXCLUDED.error_code
           RETURNING until`,
          [row.businessId, consequence.forMs, code ?? 131048],
        )) as { until: Date }[];
        const until = rows[0]?.until ?? new Date(Date.now() + consequence.forMs);
        // The message waits for the end of the pause (not counted as an attempt against it).
        await this.ledger.retry(row.decisionId, until.getTime() - Date.now(), code, false, manager);
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
        break;
      }
      case 'halt-sending':
        await manager.query(
          `INSERT INTO sending_halt (token_fingerprint, error_code, reason) VALUES ($1, $2, $3) ON CONFLICT (token_fingerprint) DO NOTHING`,
          [this.fingerprint, code ?? 190, title],
        );
        // The message is not lost: it is sent once sending resumes (a new access token).
        await this.ledger.retry(row.decisionId, 0, code, false, manager);
        sendingHalted.set(1);
        this.logger.error(
          `SENDING HALTED: WhatsApp refused the access token or account (${code} ${title}); replace WHATSAPP_ACCESS_TOKEN to resume`,
        );
        out.signals.push({
          key: '*',
          value: { businessId: '*', signal: 'sending_halted', errorCode: code ?? 190, reason: title, occurredAt: now },
        });
        break;
    }
    // The status is published with the error code the first time only (the webhook already publishes `failed`).
    if (failure.stage === 'rejected') {
      out.statuses.push({
        key: row.personId,
        headers: traceOf(row),
        value: {
          ...statusBase(row),
          status: 'rejected',
          ...(code === null ? {} : { errorCode: code }),
          errorTitle: `${title} (${consequence.action})`,
        },
      });
    }
    return consequence;
  }
}
