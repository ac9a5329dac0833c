import type { PricingCategory } from '@wt/whatsapp';
import { Injectable } from '@nestjs/common';
import type { MessageStatusValue } from '@wt/whatsapp';

/** What became of one status webhook. */
export type WebhookOutcome = 'pending' | 'delivered' | 'failed' | 'disabled';

export interface EmittedStatus {
  status: MessageStatusValue;
  /** Unix seconds, as in the webhook. */
  timestamp: string;
  errorCode?: number;
  webhook: WebhookOutcome;
}

/** A message the sandbox accepted. */
export interface AcceptedMessage {
  wamid: string;
  phoneNumberId: string;
  /** As the sender wrote it: the `to` number, or the `recipient` BSUID. */
  to: string;
  /** Sent by `recipient` (a business-scoped user id), not by number. */
  toBsuid?: boolean;
  waId: string;
  type: 'template' | 'text';
  templateName?: string;
  /** What Meta bills it as (the template's category; `service` for free-form). */
  pricingCategory?: PricingCategory;
  bizOpaqueCallbackData?: string;
  acceptedAt: string;
  statuses: EmittedStatus[];
  /** `marketing_messages` when sent through the Marketing Messages API. */
  endpoint?: 'messages' | 'marketing_messages';
  /** The template's time-to-live (seconds) the Marketing Messages API applies to it. */
  ttlSeconds?: number;
}

/** Oldest messages are forgotten beyond this, so that benchmarks run in bounded memory. */
const MAX_MESSAGES = 100_000;

@Injectable()
export class MessageStore {
  private readonly messages = new Map<string, AcceptedMessage>();

  add(message: AcceptedMessage): void {
    this.messages.set(message.wamid, message);
    if (this.messages.size > MAX_MESSAGES) {
      const oldest = this.messages.keys().next();
      if (!oldest.done) this.messages.delete(oldest.value);
    }
  }

  get(wamid: string): AcceptedMessage | undefined {
    return this.messages.get(wamid);
  }

  /** Accepted messages in acceptance order, filtered by recipient (digits compared; a BSUID as written) and phone number id. */
  list(filter: { to?: string; phoneNumberId?: string }): AcceptedMessage[] {
    const bsuid = filter.to && /^[A-Z]{2}\./.test(filter.to) ? filter.to : undefined;
    const waId = bsuid ? undefined : filter.to?.replace(/\D/g, '');
    return [...this.messages.values()].filter(
      (message) =>
        (!waId || message.waId === waId) &&
        (!bsuid || message.to === bsuid) &&
        (!filter.phoneNumberId || message.phoneNumberId === filter.phoneNumberId),
    );
  }

  /** The latest message to a person from a business number (the one a button tap answers). */
  latestTo(phoneNumberId: string, waId: string): AcceptedMessage | undefined {
    let latest: AcceptedMessage | undefined;
    for (const message of this.messages.values()) {
      if (message.phoneNumberId === phoneNumberId && message.waId === waId) latest = message;
    }
    return latest;
  }

  clear(): void {
    this.messages.clear();
  }
}
