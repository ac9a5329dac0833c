import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { type InboundMessage, maskPhoneNumber } from '@wt/whatsapp';
import { randomBytes } from 'node:crypto';
import { ConversionsLedger } from '../conversions/conversions-ledger';
import { MessageStore } from '../messages/message-store';
import { ServiceWindows } from '../messages/service-windows';
import { SERVICE_WINDOW_MS } from '@wt/contracts';
import { SandboxConfig } from '../sandbox.config';
import { SandboxStats } from '../stats/sandbox-stats';
import { WebhookDeliveryService } from '../webhooks/webhook-delivery.service';
import { displayPhoneNumber, inboundWebhook, unixSeconds } from '../webhooks/webhook-payloads';
import { SandboxUsers } from '../users/sandbox-users';
import type { InboundMessageDto } from './inbound-message.dto';
import { newWamid } from '../webhooks/random-ids';

export interface InboundReceipt {
  /** wamid of the inbound message. */
  id: string;
  /** Until when free-form messages may reach this person from this number. */
  serviceWindowOpenUntil: string;
  /** The ad click id the message carries (with `referral`). */
  ctwaClid?: string;
}

/** A person writing to a business: opens the 24 h window and reaches the business as a `messages` webhook. */
@Injectable()
export class InboundService {
  private readonly logger = new Logger(InboundService.name);

  constructor(
    private readonly config: SandboxConfig,
    private readonly windows: ServiceWindows,
    private readonly store: MessageStore,
    private readonly webhooks: WebhookDeliveryService,
    private readonly stats: SandboxStats,
    private readonly clicks: ConversionsLedger,
    private readonly users: SandboxUsers,
  ) {}

  receive(dto: InboundMessageDto, now = Date.now()): InboundReceipt {
    const waId = dto.from ? dto.from.replace(/\D/g, '') : this.users.waIdOfBsuid(dto.fromUserId as string);
    if (waId === undefined) throw new BadRequestException('fromUserId is not a business-scoped user id this sandbox gave out');
    this.windows.recordInbound(dto.phoneNumberId, waId, now);
    const contextId = dto.contextMessageId ?? (dto.button ? this.store.latestTo(dto.phoneNumberId, waId)?.wamid : undefined);
    const message: InboundMessage = {
      // The number only if the user shares it; the business-scoped user id always (2026).
      ...this.users.senderFields(waId),
      id: newWamid(),
      timestamp: unixSeconds(now),
      ...(dto.button
        ? {
            type: 'button',
            button: { text: dto.button.text, payload: dto.button.payload ?? dto.button.text },
          }
        : { type: 'text', text: { body: dto.text ?? '' } }),
      ...(contextId ? { context: { from: displayPhoneNumber(dto.phoneNumberId), id: contextId } } : {}),
    };
    if (dto.referral) {
      const ctwaClid = dto.referral.ctwaClid ?? `Aff${randomBytes(30).toString('base64url')}`;
      const sourceId = dto.referral.sourceId ?? 'sandbox-ad';
      message.referral = {
        source_url: `https://fb.me/${sourceId}`,
        source_id: sourceId,
        source_type: 'ad',
        headline: 'Sandbox ad',
        body: 'Tap to chat with us on WhatsApp',
        media_type: 'image',
        image_url: 'https://example.invalid/ad.png',
        ctwa_clid: ctwaClid,
      };
      this.clicks.issue(ctwaClid, now);
    }
    const origin = { wabaId: this.config.SANDBOX_WABA_ID, phoneNumberId: dto.phoneNumberId };
    const contact = this.users.contactOf(waId, dto.name ?? 'Sandbox User');
    this.webhooks.schedule([{ delayMs: 0, build: () => inboundWebhook(origin, contact, message) }]);
    this.stats.inbound();
    this.logger.debug(`inbound ${message.type} from ${maskPhoneNumber(waId)}`);
    return {
      id: message.id,
      serviceWindowOpenUntil: new Date(now + SERVICE_WINDOW_MS).toISOString(),
      ...(message.referral?.ctwa_clid ? { ctwaClid: message.referral.ctwa_clid } : {}),
    };
  }
}
