import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { accountWebhook, messagingLimitTier } from '@wt/whatsapp';
import { SandboxConfig } from '../sandbox.config';
import { WebhookDeliveryService } from '../webhooks/webhook-delivery.service';
import { displayPhoneNumber } from '../webhooks/webhook-payloads';

/** Meta's throughput levels: the default, and the automatic upgrade. */
const DEFAULT_MPS = 80;

/**
 * What Meta keeps about the business account beyond single messages (the sandbox has one WhatsApp
 * Business Account, `SANDBOX_WABA_ID`, in one business portfolio, holding every number):
 *
 * - Throughput per number: `SANDBOX_THROUGHPUT_MPS` until changed. A change (Meta's automatic
 *   upgrade to 1,000 mps) makes the number unusable for `SANDBOX_THROUGHPUT_CHANGE_MS` (Meta: up to
 *   a minute; sends answer 131057), then applies and posts `phone_number_quality_update`
 *   (`THROUGHPUT_UPGRADE` / `THROUGHPUT_DOWNGRADE`).
 * - The portfolio's messaging limit: unique recipients of template messages outside a
 *   customer-service window per rolling `SANDBOX_MESSAGING_LIMIT_WINDOW_MS` (24 h), shared by every
 *   number; `SANDBOX_MESSAGING_LIMIT` (0: unlimited), changed with a `business_capability_update`.
 */
@Injectable()
export class AccountState implements OnModuleDestroy {
  private readonly logger = new Logger(AccountState.name);
  private readonly rates = new Map<string, number>();
  private readonly maintenanceUntil = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private messagingLimit: number | null;
  /** Recipient → when they first got a message counted in the current window. */
  private readonly recipients = new Map<string, number>();

  constructor(
    private readonly config: SandboxConfig,
    private readonly webhooks: WebhookDeliveryService,
  ) {
    this.messagingLimit = config.SANDBOX_MESSAGING_LIMIT === 0 ? null : config.SANDBOX_MESSAGING_LIMIT;
    this.configureRates();
  }

  /** SANDBOX_NUMBER_MPS: numbers already upgraded when the sandbox starts. */
  private configureRates(): void {
    for (const pair of (this.config.SANDBOX_NUMBER_MPS ?? '').split(',').filter(Boolean)) {
      const [id, mps] = pair.split('=');
      if (id && mps) this.rates.set(id, Number(mps));
    }
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Accepted messages per sliding second for the number (0: unlimited). */
  rateOf(phoneNumberId: string): number {
    return this.rates.get(phoneNumberId) ?? this.config.SANDBOX_THROUGHPUT_MPS;
  }

  inMaintenance(phoneNumberId: string, now: number): boolean {
    return (this.maintenanceUntil.get(phoneNumberId) ?? 0) > now;
  }

  /** Starts a throughput change (Meta's upgrade): the number answers 131057 until it is done. */
  changeThroughput(phoneNumberId: string, mps: number, now = Date.now()): { usableAt: string } {
    const done = now + this.config.SANDBOX_THROUGHPUT_CHANGE_MS;
    this.maintenanceUntil.set(phoneNumberId, done);
    const previous = this.rateOf(phoneNumberId);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.rates.set(phoneNumberId, mps);
      this.maintenanceUntil.delete(phoneNumberId);
      this.logger.log(`number ${phoneNumberId}: throughput ${previous} → ${mps} mps`);
      this.post({
        wabaId: this.config.SANDBOX_WABA_ID,
        field: 'phone_number_quality_update',
        value: {
          display_phone_number: displayPhoneNumber(phoneNumberId),
          event: mps > (previous || DEFAULT_MPS) ? 'THROUGHPUT_UPGRADE' : 'THROUGHPUT_DOWNGRADE',
          current_limit: mps > DEFAULT_MPS ? 'TIER_UNLIMITED' : messagingLimitTier(this.messagingLimit),
        },
      });
    }, this.config.SANDBOX_THROUGHPUT_CHANGE_MS);
    this.timers.add(timer);
    return { usableAt: new Date(done).toISOString() };
  }

  /** Whether a template to this recipient fits in the portfolio's messaging limit now (an open service window is not counted). */
  admitsRecipient(waId: string, now: number, serviceWindowOpen: boolean): boolean {
    if (serviceWindowOpen || this.messagingLimit === null) return true;
    this.forget(now);
    return this.recipients.has(waId) || this.recipients.size < this.messagingLimit;
  }

  recordRecipient(waId: string, now: number, serviceWindowOpen: boolean): void {
    if (serviceWindowOpen) return;
    if (!this.recipients.has(waId)) this.recipients.set(waId, now);
  }

  /** Sets the portfolio's limit (Meta scaling it) and posts `business_capability_update`. */
  setMessagingLimit(limit: number | null): void {
    this.messagingLimit = limit;
    this.post({
      wabaId: this.config.SANDBOX_WABA_ID,
      field: 'business_capability_update',
      value: { max_daily_conversations_per_business: messagingLimitTier(limit) },
    });
  }

  messagingLimitState(now = Date.now()): { limit: number | null; uniqueRecipients: number } {
    this.forget(now);
    return { limit: this.messagingLimit, uniqueRecipients: this.recipients.size };
  }

  /**
   * As if `ms` had passed for the portfolio's rolling window (a test's clock: the window is 24 h at
   * Meta): every recipient counted `ms` earlier, so those it takes out of the window free their place.
   */
  elapseMessagingWindow(ms: number, now = Date.now()): { limit: number | null; uniqueRecipients: number } {
    for (const [waId, at] of this.recipients) this.recipients.set(waId, at - ms);
    return this.messagingLimitState(now);
  }

  clear(): void {
    this.rates.clear();
    this.configureRates();
    this.maintenanceUntil.clear();
    this.recipients.clear();
    this.messagingLimit = this.config.SANDBOX_MESSAGING_LIMIT === 0 ? null : this.config.SANDBOX_MESSAGING_LIMIT;
  }

  /** Posts one account webhook (when webhooks are on). */
  post(change: Parameters<typeof accountWebhook>[0]): void {
    this.webhooks.schedule([{ delayMs: 0, build: () => accountWebhook(change) }]);
  }

  /** Recipients whose first counted message left the rolling window. */
  private forget(now: number): void {
    const before = now - this.config.SANDBOX_MESSAGING_LIMIT_WINDOW_MS;
    // Insertion order is first-message order: stop at the first one still inside the window.
    for (const [waId, at] of this.recipients) {
      if (at > before) break;
      this.recipients.delete(waId);
    }
  }
}
