import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER, type WhatsAppWebhookPayload } from '@wt/whatsapp';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxConfig } from '../sandbox.config';
import { SandboxStats } from '../stats/sandbox-stats';

/** One webhook of a sequence: built when it is due (so its timestamp is the time it happened). */
export interface WebhookStep {
  delayMs: number;
  build(): WhatsAppWebhookPayload;
  /** Told once whether the webhook reached the receiver. */
  settled?(outcome: 'delivered' | 'failed' | 'disabled'): void;
}

/**
 * Posts signed webhooks to SANDBOX_WEBHOOK_URL off the send path. A sequence (the statuses of one
 * message) is delivered in order: a step waits for the previous one to be delivered or given up.
 * A failed POST (network error or non-2xx) is retried with exponential backoff, a few times.
 */
@Injectable()
export class WebhookDeliveryService implements OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryService.name);
  private readonly closing = new AbortController();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly config: SandboxConfig,
    private readonly stats: SandboxStats,
  ) {}

  /** Starts delivering the steps in order; returns at once. */
  schedule(steps: WebhookStep[]): void {
    if (this.closing.signal.aborted) return;
    for (let i = 0; i < steps.length; i++) this.stats.webhook('queued');
    const run: Promise<void> = this.run(steps).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Stops pending timers and in-flight POSTs, then waits for every sequence to end. */
  async onModuleDestroy(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.running]);
  }

  private async run(steps: WebhookStep[]): Promise<void> {
    for (const [index, step] of steps.entries()) {
      if (!(await this.wait(step.delayMs))) {
        // Closing: what was still due is abandoned.
        for (let i = index; i < steps.length; i++) this.stats.webhook('failed');
        return;
      }
      const payload = step.build();
      if (!this.config.SANDBOX_WEBHOOK_URL) {
        this.stats.webhook('skipped');
        step.settled?.('disabled');
        continue;
      }
      const delivered = await this.deliver(this.config.SANDBOX_WEBHOOK_URL, payload);
      this.stats.webhook(delivered ? 'delivered' : 'failed');
      step.settled?.(delivered ? 'delivered' : 'failed');
    }
  }

  /** Webhooks waiting for the next batched POST (SANDBOX_WEBHOOK_BATCH_MS > 0). */
  private batch: { payload: WhatsAppWebhookPayload; done: (delivered: boolean) => void }[] = [];

  private deliver(url: string, payload: WhatsAppWebhookPayload): Promise<boolean> {
    if (this.config.SANDBOX_WEBHOOK_BATCH_MS === 0) return this.post(url, payload);
    return new Promise((done) => {
      this.batch.push({ payload, done });
      if (this.batch.length > 1) return;
      setTimeout(() => {
        const due = this.batch;
        this.batch = [];
        // One notification, every entry of the batch side by side (`entry` is a list for this).
        const merged: WhatsAppWebhookPayload = { object: 'whatsapp_business_account', entry: due.flatMap((d) => d.payload.entry) };
        void this.post(url, merged).then((delivered) => {
          for (const d of due) d.done(delivered);
        });
      }, this.config.SANDBOX_WEBHOOK_BATCH_MS);
    });
  }

  private async post(url: string, payload: WhatsAppWebhookPayload): Promise<boolean> {
    const body = JSON.stringify(payload);
    const signature = signWebhookBody(body, this.config.SANDBOX_APP_SECRET);
    const attempts = this.config.SANDBOX_WEBHOOK_MAX_ATTEMPTS;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1 && !(await this.wait(this.config.SANDBOX_WEBHOOK_RETRY_BASE_MS * 2 ** (attempt - 2)))) return false;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signature },
          body,
          signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.config.SANDBOX_WEBHOOK_TIMEOUT_MS)]),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return true;
        lastProblem = `HTTP ${response.status}`;
      } catch (error) {
        if (this.closing.signal.aborted) return false;
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      this.stats.webhook('failedAttempt');
      this.logger.debug(`webhook attempt ${attempt}/${attempts} failed: ${lastProblem}`);
    }
    this.logger.warn(`webhook given up after ${attempts} attempts: ${lastProblem}`);
    return false;
  }

  /** Resolves true after `ms`, or false at once if the sandbox is closing. */
  private async wait(ms: number): Promise<boolean> {
    if (this.closing.signal.aborted) return false;
    if (ms === 0) return true;
    try {
      await sleep(ms, undefined, { signal: this.closing.signal });
      return true;
    } catch {
      return false;
    }
  }
}
