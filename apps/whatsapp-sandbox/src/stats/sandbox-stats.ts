import { Injectable } from '@nestjs/common';
import type { MessageStatusValue } from '@wt/whatsapp';

export interface SandboxStatsSnapshot {
  accepted: number;
  /** By Graph error code (`http503` and the like for bare HTTP errors without a Graph body). */
  rejected: Record<string, number>;
  /** Sends left unanswered (`hang`) or cut off after acceptance (`drop`) by a fault. */
  unanswered: { hang: number; drop: number };
  statuses: Record<MessageStatusValue, number>;
  inbound: number;
  webhooks: {
    delivered: number;
    /** Given up after every attempt failed. */
    failed: number;
    /** Single attempts that failed (some later succeeded). */
    failedAttempts: number;
    /** Not sent because SANDBOX_WEBHOOK_URL is unset. */
    skipped: number;
    pending: number;
  };
}

/** Counters for `GET /sandbox/stats`. */
@Injectable()
export class SandboxStats {
  private snapshot: SandboxStatsSnapshot = SandboxStats.empty();

  accepted(): void {
    this.snapshot.accepted++;
  }

  rejected(code: number | string): void {
    this.snapshot.rejected[code] = (this.snapshot.rejected[code] ?? 0) + 1;
  }

  unanswered(mode: 'hang' | 'drop'): void {
    this.snapshot.unanswered[mode]++;
  }

  statusEmitted(status: MessageStatusValue): void {
    this.snapshot.statuses[status]++;
  }

  inbound(): void {
    this.snapshot.inbound++;
  }

  webhook(event: 'queued' | 'delivered' | 'failed' | 'failedAttempt' | 'skipped'): void {
    const webhooks = this.snapshot.webhooks;
    switch (event) {
      case 'queued':
        webhooks.pending++;
        break;
      case 'delivered':
        webhooks.pending--;
        webhooks.delivered++;
        break;
      case 'failed':
        webhooks.pending--;
        webhooks.failed++;
        break;
      case 'failedAttempt':
        webhooks.failedAttempts++;
        break;
      case 'skipped':
        webhooks.pending--;
        webhooks.skipped++;
        break;
    }
  }

  read(): SandboxStatsSnapshot {
    return structuredClone(this.snapshot);
  }

  /** Resets every counter except webhooks still pending. */
  clear(): void {
    const pending = this.snapshot.webhooks.pending;
    this.snapshot = SandboxStats.empty();
    this.snapshot.webhooks.pending = pending;
  }

  private static empty(): SandboxStatsSnapshot {
    return {
      accepted: 0,
      rejected: {},
      unanswered: { hang: 0, drop: 0 },
      statuses: { sent: 0, delivered: 0, read: 0, failed: 0 },
      inbound: 0,
      webhooks: { delivered: 0, failed: 0, failedAttempts: 0, skipped: 0, pending: 0 },
    };
  }
}
