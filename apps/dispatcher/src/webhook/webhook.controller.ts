import { Controller, ForbiddenException, Get, HttpCode, Post, Query, type RawBodyRequest, Req, UnauthorizedException } from '@nestjs/common';
import { type InboundMessageV1, type MessageStatusV1, Topic } from '@wt/contracts';
import { ContactSealer, normalizePhone, Pseudonymizer } from '@wt/identity';
import { KafkaPublisher, type OutgoingRecord } from '@wt/kafka';
import {
  inboundMessagesOf,
  statusesOf,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  type WhatsAppWebhookPayload,
} from '@wt/whatsapp';
import { type Request } from 'express';
import { Counter, register } from 'prom-client';
import { DispatchLedger } from '../dispatch/dispatch-ledger';
import { DispatcherConfig } from '../dispatcher.config';

const statusTotal =
  (register.getSingleMetric('wt_message_status_total') as Counter | undefined) ??
  new Counter({ name: 'wt_message_status_total', help: 'Message statuses received from WhatsApp (first delivery only)', labelNames: ['status'] });

/**
 * Meta's webhook: message statuses and inbound messages. Answers 200 only once everything is
 * published (acknowledged by Kafka); otherwise Meta retries, and a redelivery is recognised.
 */
@Controller('v1/whatsapp/webhook')
export class WebhookController {
  constructor(
    private readonly config: DispatcherConfig,
    private readonly ledger: DispatchLedger,
    private readonly publisher: KafkaPublisher,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly sealer: ContactSealer,
  ) {}

  /** Subscription handshake. */
  @Get()
  verify(@Query('hub.mode') mode: string, @Query('hub.verify_token') token: string, @Query('hub.challenge') challenge: string): string {
    if (mode !== 'subscribe' || token !== this.config.WHATSAPP_VERIFY_TOKEN) throw new ForbiddenException('verify token mismatch');
    return challenge;
  }

  @Post()
  @HttpCode(200)
  async receive(@Req() request: RawBodyRequest<Request>): Promise<{ received: number }> {
    const raw = request.rawBody;
    if (!raw || !verifyWebhookSignature(raw, request.headers[WEBHOOK_SIGNATURE_HEADER], this.config.WHATSAPP_APP_SECRET)) {
      throw new UnauthorizedException('invalid X-Hub-Signature-256');
    }
    const payload = request.body as WhatsAppWebhookPayload;
    if (payload?.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) return { received: 0 };

    const statuses: OutgoingRecord<MessageStatusV1>[] = [];
    for (const { status } of statusesOf(payload)) {
      const errorCode = status.errors?.[0]?.code;
      const row = await this.ledger.recordStatus(status.id, status.biz_opaque_callback_data, status.status, errorCode);
      if (!row) continue; // unknown message or redelivered status
      statuses.push({
        key: row.personId,
        value: {
          ...row,
          wamid: status.id,
          status: status.status,
          errorCode,
          errorTitle: status.errors?.[0]?.title,
          occurredAt: new Date(Number(status.timestamp) * 1000).toISOString(),
          reportedBy: 'webhook',
        },
      });
    }

    const inbound: OutgoingRecord<InboundMessageV1>[] = [];
    for (const { phoneNumberId, message } of inboundMessagesOf(payload)) {
      const phone = normalizePhone(`+${message.from.replace(/^\+/, '')}`);
      if (!phone.ok) continue;
      const personId = this.pseudonymizer.personId(phone.e164);
      inbound.push({
        key: personId,
        value: {
          wamid: message.id,
          personId,
          contact: this.sealer.seal(phone.e164),
          phoneNumberId,
          kind: message.type === 'text' || message.type === 'button' || message.type === 'interactive' ? message.type : 'other',
          text: message.text?.body ?? message.button?.text,
          inReplyToWamid: message.context?.id,
          receivedAt: new Date(Number(message.timestamp) * 1000).toISOString(),
        },
      });
    }
    await this.publisher.publishAll([
      { topic: Topic.WhatsappMessageStatusV1, records: statuses },
      { topic: Topic.WhatsappInboundV1, records: inbound },
    ]);
    for (const { value } of statuses) statusTotal.inc({ status: value.status });
    return { received: statuses.length + inbound.length };
  }
}
