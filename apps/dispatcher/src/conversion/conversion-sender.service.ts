import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { counter } from '@wt/observability';
import {
  type BusinessMessagingEvent,
  CONVERSION_EVENT_MAX_AGE_S,
  CONVERSION_EVENTS_PER_REQUEST,
  type ConversionsResult,
  postConversionEvents,
} from '@wt/whatsapp';
import { DataSource } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';

const sentTotal = counter({
  name: 'wt_conversion_events_total',
  help: "Purchases sent to Meta's Conversions API, by result: sent, retried (transient refusal), rejected (final), expired (older than Meta takes)",
  labelNames: ['result'],
});

interface DueRow {
  event_id: string;
  event_time: Date;
  value: string;
  currency: string;
  ctwa_clid: string;
  waba_id: string;
  attempts: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends queued conversion events to Meta's Conversions API for business messaging, each exactly
 * once as far as Meta counts: rows are claimed with SKIP LOCKED (replicas never send one row
 * twice), marked `sent` after Meta's answer, and every event carries its stable `event_id`, so a
 * retry after a lost answer or a crash between the answer and the mark is deduplicated by Meta.
 * A transient refusal (5xx, throttling, no answer) is retried with backoff up to
 * CONVERSIONS_MAX_ATTEMPTS; a final one (400: invalid event) is `rejected` with Meta's message;
 * an event older than Meta's seven days is `expired`, never sent.
 */
@Injectable()
export class ConversionSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConversionSender.name);
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: DispatcherConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.CONVERSIONS_DATASET_ID) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const sent = await this.sendDue();
        if (sent === 0) await sleep(this.config.CONVERSIONS_POLL_MS);
      } catch (error) {
        this.logger.error(`conversions: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(1000);
      }
    }
  }

  /** One round: the due events (one request per business account), their outcomes recorded. Returns how many were handled. */
  async sendDue(now = new Date()): Promise<number> {
    const datasetId = this.config.CONVERSIONS_DATASET_ID;
    if (!datasetId) return 0;
    return this.dataSource.transaction(async (manager) => {
      // TypeORM answers an UPDATE ... RETURNING with [rows, count]: returnedRows takes the rows.
      const expired = returnedRows<{ event_id: string }>(
        await manager.query(
          `UPDATE conversion_event SET state = 'expired', last_error = 'older than the seven days Meta takes'
           WHERE state = 'pending' AND event_time < $1 RETURNING event_id`,
          [new Date(now.getTime() - CONVERSION_EVENT_MAX_AGE_S * 1000)],
        ),
      );
      if (expired.length > 0) sentTotal.inc({ result: 'expired' }, expired.length);
      const due: DueRow[] = await manager.query(
        `SELECT event_id, event_time, value, currency, ctwa_clid, waba_id, attempts FROM conversion_event
         WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, CONVERSION_EVENTS_PER_REQUEST],
      );
      const byAccount = new Map<string, DueRow[]>();
      for (const row of due) byAccount.set(row.waba_id, [...(byAccount.get(row.waba_id) ?? []), row]);
      for (const rows of byAccount.values()) {
        const events: BusinessMessagingEvent[] = rows.map((r) => ({
          event_name: 'Purchase',
          event_time: Math.floor(r.event_time.getTime() / 1000),
          event_id: r.event_id,
          action_source: 'business_messaging',
          messaging_channel: 'whatsapp',
          user_data: { whatsapp_business_account_id: r.waba_id, ctwa_clid: r.ctwa_clid },
          custom_data: { currency: r.currency, value: Number(r.value) },
        }));
        const result = await postConversionEvents(
          {
            baseUrl: this.config.WHATSAPP_BASE_URL,
            apiVersion: this.config.WHATSAPP_API_VERSION,
            accessToken: this.config.CONVERSIONS_ACCESS_TOKEN ?? this.config.WHATSAPP_ACCESS_TOKEN,
            datasetId,
            timeoutMs: this.config.WHATSAPP_TIMEOUT_MS,
          },
          events,
        );
        await this.record(manager, rows, result);
      }
      return due.length + expired.length;
    });
  }

  private async record(manager: DataSource['manager'], rows: DueRow[], result: ConversionsResult): Promise<void> {
    const ids = rows.map((r) => r.event_id);
    if (result.kind === 'received') {
      await manager.query(
        `UPDATE conversion_event SET state = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL WHERE event_id = ANY($1::text[])`,
        [ids],
      );
      sentTotal.inc({ result: 'sent' }, rows.length);
      return;
    }
    const error = `${result.httpStatus ?? 'no answer'}${result.code === undefined ? '' : ` code ${result.code}`}: ${result.message}`.slice(
      0,
      500,
    );
    const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
    if (result.transient && attempts < this.config.CONVERSIONS_MAX_ATTEMPTS) {
      const delayMs = Math.min(this.config.RETRY_MAX_MS, this.config.RETRY_BASE_MS * 2 ** (attempts - 1));
      await manager.query(
        `UPDATE conversion_event SET attempts = attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond', last_error = $3 WHERE event_id = ANY($1::text[])`,
        [ids, delayMs, error],
      );
      sentTotal.inc({ result: 'retried' }, rows.length);
      this.logger.warn(`conversions: ${rows.length} events refused (${error}); retried in ${delayMs} ms`);
      return;
    }
    await manager.query(
      `UPDATE conversion_event SET state = 'rejected', attempts = attempts + 1, last_error = $2 WHERE event_id = ANY($1::text[])`,
      [ids, error],
    );
    sentTotal.inc({ result: 'rejected' }, rows.length);
    this.logger.warn(`conversions: ${rows.length} events rejected for good (${error})`);
  }
}
