import {
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Logger,
  Post,
  Query,
  type RawBodyRequest,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { type InboundMessageV1, Topic } from '@wt/contracts';
import { ContactSealer, normalizePhone, Pseudonymizer } from '@wt/identity';
import { KafkaPublisher, type OutgoingRecord } from '@wt/kafka';
import {
  inboundMessagesOf,
  statusesOf,
  userPreferencesOf,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  whatsAppErrorTitle,
  type WhatsAppWebhookPayload,
} from '@wt/whatsapp';
import { type Request } from 'express';
import { Counter, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { DispatchLedger } from '../dispatch/dispatch-ledger';
import { OutcomeRecords, SendOutcomes, statusBase, traceOf } from '../dispatch/send-outcomes';
import { DispatcherConfig } from '../dispatcher.config';
import { ApiBody, ApiHeader, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors } from '@wt/runtime';
import { WEBHOOK_PAYLOAD_SCHEMA, WEBHOOK_RECEIVED_SCHEMA } from './webhook.openapi';

/** Meta's title (trimmed to fit the contract), or ours when a payload carries none. */
function titleOf(error: { code: number; title?: unknown }): string {
  return typeof error.title === 'string' && error.title ? error.title.slice(0, 400) : whatsAppErrorTitle(error.code);
}

const statusTotal =
  (register.getSingleMetric('wt_message_status_total') as Counter | undefined) ??
  new Counter({
    name: 'wt_message_status_total',
    help: 'Message statuses received from WhatsApp (first delivery only)',
    labelNames: ['status'],
  });

/**
 * Meta's webhook: message statuses, inbound messages and marketing preferences. Everything is
 * recorded and published inside one database transaction that commits only once Kafka has
 * acknowledged: a failure answers 500 and Meta's redelivery is processed afresh; a redelivery
 * after success finds the event already recorded and publishes nothing.
 */
@Controller('v1/webhooks/whatsapp')
@ApiTags('whatsapp webhook')
export class WebhookController {
  private readonly logger = new Logger(WebhookController.name);

  constructor(
    private readonly config: DispatcherConfig,
    private readonly ledger: DispatchLedger,
    private readonly outcomes: SendOutcomes,
    private readonly publisher: KafkaPublisher,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly sealer: ContactSealer,
    private readonly dataSource: DataSource,
  ) {}

  /** Subscription handshake. */
  @Get()
  @ApiQuery({ name: 'hub.mode', schema: { type: 'string', enum: ['subscribe'] } })
  @ApiQuery({ name: 'hub.verify_token', description: 'Must be WHATSAPP_VERIFY_TOKEN' })
  @ApiQuery({ name: 'hub.challenge', description: 'Echoed back when the token matches' })
  @ApiProduces('text/html')
  @ApiAnswer(200, 'The hub.challenge, as it came', { type: 'string' })
  @ApiErrors({ 403: 'hub.mode is not subscribe, or the verify token does not match' })
  verify(@Query('hub.mode') mode: string, @Query('hub.verify_token') token: string, @Query('hub.challenge') challenge: string): string {
    if (mode !== 'subscribe' || token !== this.config.WHATSAPP_VERIFY_TOKEN) throw new ForbiddenException('verify token mismatch');
    return challenge;
  }

  @Post()
  @HttpCode(200)
  @ApiHeader({
    name: WEBHOOK_SIGNATURE_HEADER,
    required: true,
    description: 'sha256=<HMAC-SHA256 of the raw body under WHATSAPP_APP_SECRET>',
  })
  @ApiBody({ description: "Meta's webhook notification (statuses, messages, user preferences)", schema: WEBHOOK_PAYLOAD_SCHEMA })
  @ApiAnswer(
    200,
    'Recorded, and published on Kafka (statuses, inbound messages, consent changes); a redelivery records nothing new',
    WEBHOOK_RECEIVED_SCHEMA,
  )
  @ApiErrors({
    401: 'X-Hub-Signature-256 is missing or does not match the body',
    500: 'Not recorded (Kafka or Postgres failed): Meta delivers it again',
  })
  async receive(@Req() request: RawBodyRequest<Request>): Promise<{ received: number }> {
    const raw = request.rawBody;
    if (!raw || !verifyWebhookSignature(raw, request.headers[WEBHOOK_SIGNATURE_HEADER], this.config.WHATSAPP_APP_SECRET)) {
      throw new UnauthorizedException('invalid X-Hub-Signature-256');
    }
    const payload = request.body as WhatsAppWebhookPayload;
    if (payload?.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) return { received: 0 };

    const out = new OutcomeRecords();
    const inbound: OutgoingRecord<InboundMessageV1>[] = [];
    await this.dataSource.transaction(async (manager) => {
      for (const { status } of statusesOf(payload)) {
        const error = status.errors?.[0];
        const row = await this.ledger.recordStatus(manager, status.id, status.biz_opaque_callback_data, status.status, error?.code);
        if (!row) continue; // unknown message, redelivered status or a retired attempt's
        // A failed message gets its consequence (retry, give up, revoke consent...), named in the status as the sender does.
        const consequence =
          status.status === 'failed' && error
            ? await this.outcomes.failed(manager, row, { code: error.code, title: titleOf(error), stage: 'failed', wamid: status.id }, out)
            : undefined;
        out.statuses.push({
          key: row.personId,
          headers: traceOf(row),
          value: {
            ...statusBase(row, 'webhook'),
            wamid: status.id,
            status: status.status,
            ...(error ? { errorCode: error.code, errorTitle: `${titleOf(error)}${consequence ? ` (${consequence.action})` : ''}` } : {}),
            occurredAt: new Date(Number(status.timestamp) * 1000).toISOString(),
          },
        });
      }

      for (const { phoneNumberId, message } of inboundMessagesOf(payload)) {
        if (!(await this.ledger.firstTime(manager, `message:${message.id}`))) continue;
        const phone = normalizePhone(`+${message.from.replace(/^\+/, '')}`);
        if (!phone.ok) {
          this.logger.warn(`inbound message ${message.id}: sender is not a valid number; ignored`);
          continue;
        }
        const personId = this.pseudonymizer.personId(phone.e164);
        inbound.push({
          key: personId,
          value: {
            wamid: message.id,
            personId,
            contact: await this.sealer.seal(personId, phone.e164),
            phoneNumberId,
            kind: message.type === 'text' || message.type === 'button' || message.type === 'interactive' ? message.type : 'other',
            text: message.text?.body ?? message.button?.text,
            inReplyToWamid: message.context?.id,
            receivedAt: new Date(Number(message.timestamp) * 1000).toISOString(),
          },
        });
      }

      for (const { phoneNumberId, preference } of userPreferencesOf(payload)) {
        if (preference.category !== 'marketing_messages') continue;
        const eventKey = `preference:${phoneNumberId}:${preference.wa_id}:${preference.timestamp}:${preference.value}`;
        if (!(await this.ledger.firstTime(manager, eventKey))) continue;
        const businessId = await this.ledger.businessOf(manager, phoneNumberId);
        const phone = normalizePhone(`+${preference.wa_id.replace(/^\+/, '')}`);
        if (!businessId || !phone.ok) {
          this.logger.warn(
            `marketing ${preference.value} for number ${phoneNumberId}: ${businessId ? 'invalid sender' : 'unknown business number'}; ignored`,
          );
          continue;
        }
        out.consents.push({
          key: this.pseudonymizer.personId(phone.e164),
          value: {
            phone: phone.e164,
            purpose: 'whatsapp_marketing',
            businessId,
            status: preference.value === 'stop' ? 'revoked' : 'granted',
            occurredAt: new Date(Number(preference.timestamp) * 1000).toISOString(),
            source: 'whatsapp-user-preferences',
            assertedVia: 'whatsapp_webhook',
            assertedBy: 'dispatcher',
          },
        });
      }
      // Inside the transaction: if Kafka fails, nothing is recorded and Meta's retry starts over.
      await this.publisher.publishAll([...out.batches(), { topic: Topic.WhatsappInboundV1, records: inbound }]);
    });
    for (const { value } of out.statuses) statusTotal.inc({ status: value.status });
    return { received: out.statuses.length + inbound.length + out.consents.length };
  }
}
