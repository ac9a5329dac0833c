import {
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Post,
  Query,
  type RawBodyRequest,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors, HttpInputError, inputProblemOf, ReadsOwnInput } from '@wt/runtime';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, type WhatsAppWebhookPayload } from '@wt/whatsapp';
import { type Request } from 'express';
import { DispatcherConfig } from '../dispatcher.config';
import { WEBHOOK_PAYLOAD_SCHEMA, WEBHOOK_RECEIVED_SCHEMA } from './webhook.openapi';
import { WebhookIntake } from './webhook-intake';
import { webhookShapeProblems } from './webhook-shape';

/**
 * Meta's webhook over HTTP: the subscription handshake, then each notification's signature and
 * shape. A readable one goes to WebhookIntake (one transaction, with what it publishes in the
 * outbox: a failure answers 500 and Meta delivers it again; once committed it is answered 200,
 * and published right after, or by the outbox relay); a signed but unreadable one is answered 200
 * and dead-lettered.
 */
@Controller('v1/webhooks/whatsapp')
@ApiTags('whatsapp webhook')
export class WebhookController {
  constructor(
    private readonly config: DispatcherConfig,
    private readonly intake: WebhookIntake,
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
    'Recorded, and published on Kafka (statuses, inbound messages, consent changes) after the commit, by the outbox relay if not at once; a redelivery records nothing new',
    WEBHOOK_RECEIVED_SCHEMA,
  )
  @ApiErrors({
    401: 'X-Hub-Signature-256 is missing or does not match the body',
    413: 'The body is over the limit (nothing to check the signature of)',
    415: 'The body is not application/json',
    503: 'Not recorded (Postgres unavailable, or Kafka for a dead letter): Meta delivers it again',
  })
  @ReadsOwnInput()
  async receive(@Req() request: RawBodyRequest<Request>): Promise<{ received: number }> {
    const raw = request.rawBody;
    const problem = inputProblemOf(request);
    // A body never read (too large, not JSON) has no bytes to check a signature over.
    if (!raw && problem) throw new HttpInputError(problem);
    if (!raw || !verifyWebhookSignature(raw, request.headers[WEBHOOK_SIGNATURE_HEADER], this.config.WHATSAPP_APP_SECRET)) {
      throw new UnauthorizedException('invalid X-Hub-Signature-256');
    }
    // Signed by Meta but unreadable: a 4xx or 5xx would be redelivered for days. Answered 200, kept as a dead letter.
    if (problem) return this.intake.deadLetter(raw, undefined, 'malformed_json', problem.message);
    const payload = request.body as WhatsAppWebhookPayload;
    if (payload?.object !== 'whatsapp_business_account') return { received: 0 };
    const problems = webhookShapeProblems(payload);
    if (problems.length > 0) return this.intake.deadLetter(raw, payload, 'schema_violation', problems.join('; '));
    return this.intake.record(payload);
  }
}
