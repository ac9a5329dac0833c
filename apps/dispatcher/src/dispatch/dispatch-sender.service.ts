import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { ContactSealer, type OpenedContact } from '@wt/identity';
import { KafkaPublisher } from '@wt/kafka';
import { ReadinessRegistry } from '@wt/observability';
import { type SendResult, WhatsAppCloudClient } from '@wt/whatsapp';
import { Counter, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';
import { DispatchLedger, type LedgerRow } from './dispatch-ledger';
import { OutcomeRecords, SendOutcomes, sendingHalted, statusBase, traceOf } from './send-outcomes';
import { ThroughputLimiter } from './throughput-limiter';

const dispatched =
  (register.getSingleMetric('wt_dispatch_total') as Counter | undefined) ??
  new Counter({ name: 'wt_dispatch_total', help: 'Send attempts by result and Meta error code', labelNames: ['result', 'code'] });

const contactsUnopened =
  (register.getSingleMetric('wt_dispatch_contact_unopened_total') as Counter | undefined) ??
  new Counter({ name: 'wt_dispatch_contact_unopened_total', help: 'Sends not made because the contact did not open (erased: person key deleted)', labelNames: ['reason'] });

/** A send that found the key vault unreachable is tried again after this long (nothing was sent). */
const VAULT_RETRY_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Margin on top of the call timeout before a `sending` row is presumed orphaned by a dead replica. */
const ORPHAN_MARGIN_MS = 5000;

/**
 * The send loop of one replica: resolves timeouts, claims due sends from the ledger, waits for
 * each one's slot in its number's shared throughput schedule, calls Meta once per claim, and
 * applies the outcome. Everything it decides is in Postgres, so a restart loses and repeats nothing.
 */
@Injectable()
export class DispatchSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DispatchSender.name);
  private running = false;
  private loop: Promise<void> | undefined;
  private halted = false;
  private lastMaintenance = 0;

  constructor(
    private readonly ledger: DispatchLedger,
    private readonly outcomes: SendOutcomes,
    private readonly limiter: ThroughputLimiter,
    private readonly client: WhatsAppCloudClient,
    private readonly sealer: ContactSealer,
    private readonly publisher: KafkaPublisher,
    private readonly dataSource: DataSource,
    private readonly config: DispatcherConfig,
    readiness: ReadinessRegistry,
  ) {
    // Halted sending is an alert: the replica says it is not ready (and the metric says why).
    readiness.register('whatsapp-sending', () => !this.halted);
  }

  onApplicationBootstrap(): void {
    this.running = true;
    // Several loops overlap claiming with waiting for slots, as replicas do: the shared schedule
    // (ThroughputLimiter) and SKIP LOCKED claims keep them from sending faster or twice.
    this.loop = Promise.all(Array.from({ length: this.config.SENDER_LOOPS }, () => this.run())).then(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const worked = await this.tick();
        if (!worked) await sleep(this.config.SENDER_POLL_MS);
      } catch (error) {
        this.logger.error(`send loop: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(1000);
      }
    }
  }

  /** One round; true if it sent anything. */
  async tick(): Promise<boolean> {
    if (Date.now() - this.lastMaintenance >= 1000) {
      this.lastMaintenance = Date.now();
      await this.maintenance();
    }
    // At most a quarter second of one number's rate is claimed at once: a claimed row is `sending`
    // (in doubt after a crash), so the less waits for its slot, the less a crash leaves in doubt.
    const perNumber = Math.min(this.config.CLAIM_BATCH, Math.max(1, Math.floor(this.config.WHATSAPP_MPS / 4)));
    const { sending, skipped } = await this.ledger.claimDue(this.config.CLAIM_BATCH, perNumber, this.config.PAIR_INTERVAL_MS, this.outcomes.fingerprint);
    const out = new OutcomeRecords();
    for (const row of skipped) {
      out.statuses.push({ key: row.personId, headers: traceOf(row), value: { ...statusBase(row), status: 'rejected', errorCode: 131026, errorTitle: 'Recipient marked unreachable: not sent (skipped)' } });
    }
    if (sending.length > 0) await this.sendAll(sending, out);
    await this.publisher.publishAll(out.batches());
    return sending.length + skipped.length > 0;
  }

  private async maintenance(): Promise<void> {
    const out = new OutcomeRecords();
    for (const row of await this.ledger.resolveTimeouts(this.config.WHATSAPP_TIMEOUT_MS + ORPHAN_MARGIN_MS, this.config.UNKNOWN_RESOLVE_MS)) {
      this.logger.warn(`decision ${row.decisionId}: no answer and no status webhook within ${this.config.UNKNOWN_RESOLVE_MS} ms; expired, not resent`);
      out.statuses.push({ key: row.personId, headers: traceOf(row), value: { ...statusBase(row), status: 'failed', errorTitle: 'Unconfirmed: no answer and no status webhook from WhatsApp; not resent' } });
    }
    const ended = returnedRows<{ business_id: string }>(await this.dataSource.query(`DELETE FROM business_pause WHERE until <= now() RETURNING business_id`));
    for (const { business_id } of ended) {
      out.signals.push({ key: business_id, value: { businessId: business_id, signal: 'campaigns_resumed', occurredAt: new Date().toISOString() } });
    }
    const halts = (await this.dataSource.query(`SELECT 1 FROM sending_halt WHERE token_fingerprint = $1`, [this.outcomes.fingerprint])) as unknown[];
    this.halted = halts.length > 0;
    sendingHalted.set(this.halted ? 1 : 0);
    await this.publisher.publishAll(out.batches());
  }

  private async sendAll(rows: LedgerRow[], out: OutcomeRecords): Promise<void> {
    const byNumber = new Map<string, LedgerRow[]>();
    for (const row of rows) byNumber.set(row.phoneNumberId, [...(byNumber.get(row.phoneNumberId) ?? []), row]);
    const sends: Promise<void>[] = [];
    for (const [phoneNumberId, group] of byNumber) {
      const slots = await this.limiter.reserve(phoneNumberId, group.length, this.config.WHATSAPP_MPS, this.config.THROUGHPUT_MARGIN_MS);
      group.forEach((row, i) =>
        sends.push(
          sleep((slots[i] as number) - Date.now())
            .then(() => this.sendOne(row, out))
            .catch((error: unknown) => {
              // The row stays `sending`: the timeout resolution makes it `unknown`, never resent blindly.
              this.logger.error(`decision ${row.decisionId}: ${error instanceof Error ? error.message : String(error)}; left in doubt`);
            }),
        ),
      );
    }
    await Promise.all(sends);
  }

  private async sendOne(row: LedgerRow, out: OutcomeRecords): Promise<void> {
    const message = row.message;
    if (!message) {
      await this.ledger.rejected(row.decisionId, null);
      return;
    }
    // Asks the key vault right before the call (never the cache): an erased person is not messaged.
    let opened: OpenedContact;
    try {
      opened = await this.sealer.open(message.contact, { fresh: true });
    } catch (error) {
      // The vault is unreachable: nothing reached Meta, so the send goes back to the queue.
      this.logger.warn(`decision ${row.decisionId}: key vault unavailable (${error instanceof Error ? error.message : String(error)}); retried in ${VAULT_RETRY_MS} ms`);
      await this.ledger.retry(row.decisionId, VAULT_RETRY_MS, null, false);
      return;
    }
    if (!opened.ok) {
      // `erased`: the person's key was deleted (GDPR erasure), no copy of the number opens any more.
      // `invalid`: sealed under another key or corrupt. Either way it can never be sent; nothing reached Meta.
      const why = opened.reason === 'erased' ? 'Contact erased (person key deleted): not sent' : 'Contact cannot be opened (not sealed for this platform): not sent';
      if (opened.reason === 'erased') this.logger.warn(`decision ${row.decisionId}: the person was erased; suppressed, not sent`);
      else this.logger.error(`decision ${row.decisionId}: contact cannot be opened; rejected, not sent`);
      contactsUnopened.inc({ reason: opened.reason });
      await this.ledger.rejected(row.decisionId, null);
      out.statuses.push({ key: row.personId, headers: traceOf(row), value: { ...statusBase(row), status: 'rejected', errorTitle: why } });
      return;
    }
    const to = opened.e164;
    const result: SendResult =
      message.kind === 'template'
        ? await this.client.sendTemplate(
            row.phoneNumberId,
            to,
            {
              name: message.templateName,
              language: { code: message.language },
              components: message.bodyParameters.length ? [{ type: 'body', parameters: message.bodyParameters.map((text) => ({ type: 'text' as const, text })) }] : undefined,
            },
            row.decisionId,
          )
        : await this.client.sendText(row.phoneNumberId, to, message.text, row.decisionId);
    switch (result.kind) {
      case 'accepted':
        await this.ledger.accepted(row.decisionId, result.wamid);
        dispatched.inc({ result: 'accepted', code: '' });
        out.statuses.push({ key: row.personId, headers: traceOf(row), value: { ...statusBase(row), status: 'accepted', wamid: result.wamid } });
        return;
      case 'rejected':
        dispatched.inc({ result: 'rejected', code: String(result.code ?? result.httpStatus) });
        await this.outcomes.failed(this.dataSource.manager, row, { code: result.code, httpStatus: result.httpStatus, title: result.title, stage: 'rejected' }, out);
        return;
      case 'unknown':
        dispatched.inc({ result: 'unknown', code: result.reason });
        if (result.reason === 'refused') {
          // The connection was never made: nothing reached Meta, so retrying cannot duplicate.
          await this.outcomes.failed(this.dataSource.manager, row, { code: null, httpStatus: 503, title: `connection refused: ${result.detail}`, stage: 'rejected' }, out);
          return;
        }
        // Meta may have accepted it: its status webhook (which echoes the decision id) will tell.
        await this.ledger.unknown(row.decisionId);
        this.logger.warn(`decision ${row.decisionId}: no answer from WhatsApp (${result.reason}); left unknown, not resent`);
        return;
    }
  }
}
