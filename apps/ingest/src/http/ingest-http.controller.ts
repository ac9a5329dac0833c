import { BadRequestException, Body, Controller, ForbiddenException, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiKey, type ApiKeyPrincipal, ApiKeyScopeGuard, RequireScope } from '@wt/business-auth';
import { Topic } from '@wt/contracts';
import { DeadLetterSealer, httpDeadLettersFor, KafkaPublisher } from '@wt/kafka';
import { counter } from '@wt/observability';
import { IngestConfig } from '../ingest.config';
import { HttpIntake, type IntakeOutcome, type ItemResult } from './http-intake';
import { ConsentsRequest, EngagementEventsRequest, INTAKE_RESPONSE_SCHEMA } from './intake.openapi';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { consentRefusal, engagementRefusal, httpAttribution } from './door-authorization';
import { ApiAnswer, ApiErrors } from '@wt/runtime';

const httpItems = counter({
  name: 'wt_ingest_http_items_total',
  help: 'Items received over HTTP, by route and result',
  labelNames: ['route', 'result'],
});

export interface IntakeResponse {
  accepted: number;
  rejected: number;
  results: ItemResult[];
}

/**
 * The HTTP door, beside the Kafka one. Answers only once accepted items are on the internal topic
 * and rejected ones on the dead-letter topic (both acknowledged by the brokers), so a 200 means
 * nothing is lost; a producer resends only the items marked rejected, once fixed.
 *
 * Every request needs an API key (docs/authentication.md): a producer key (`engagement:write`) for
 * its own source's events, a business key (`consent:write`) for its own business's consents; then a
 * rate limit per key. Guards in that order: the limit counts per authenticated key.
 */
@Controller('v1')
@UseGuards(ApiKeyScopeGuard, ThrottlerGuard)
@ApiTags('intake')
@ApiBearerAuth()
@ApiErrors({
  401: 'No API key, or not a valid one (malformed, unknown, revoked)',
  403: "The key lacks the route's scope, or an item is for another business (consents) or another source (events): nothing is accepted",
  429: 'Over the rate limit of this API key (HTTP_RATE_LIMIT_PER_KEY per HTTP_RATE_LIMIT_WINDOW_SECONDS): wait Retry-After seconds',
})
@ApiErrors({ 400: 'Not a JSON object with a non-empty array of at most HTTP_MAX_BATCH items', 413: 'The body is over HTTP_BODY_LIMIT' })
@ApiErrors({ 500: 'Kafka did not acknowledge: nothing is answered as accepted; send again' })
export class IngestHttpController {
  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly config: IngestConfig,
    private readonly intake: HttpIntake,
    private readonly deadLetters: DeadLetterSealer,
  ) {}

  @Post('engagement-events')
  @HttpCode(200)
  @ApiBody({ type: EngagementEventsRequest })
  @ApiAnswer(
    200,
    'One result per event: accepted ones are on internal.engagement.normalized.v1, rejected ones on the dead-letter topic',
    INTAKE_RESPONSE_SCHEMA,
  )
  @RequireScope('engagement:write')
  async engagement(@Body() body: unknown, @ApiKey() key: ApiKeyPrincipal): Promise<IntakeResponse> {
    const items = this.items(body, 'events');
    const refusal = engagementRefusal(items, key);
    if (refusal) throw new ForbiddenException(refusal);
    const outcome = await this.intake.engagement(items, new Date());
    await this.publisher.publishAll([
      { topic: Topic.EngagementNormalizedV1, records: outcome.accepted },
      { topic: Topic.DeadLetterV1, records: await httpDeadLettersFor('ingest', outcome.refused, this.deadLetters) },
    ]);
    return answer('engagement-events', outcome);
  }

  @Post('consents')
  @HttpCode(200)
  @ApiBody({ type: ConsentsRequest })
  @ApiAnswer(
    200,
    'One result per consent change: accepted ones are on internal.consent.normalized.v1, rejected ones on the dead-letter topic',
    INTAKE_RESPONSE_SCHEMA,
  )
  @RequireScope('consent:write')
  async consents(@Body() body: unknown, @ApiKey() key: ApiKeyPrincipal): Promise<IntakeResponse> {
    const items = this.items(body, 'consents');
    const refusal = consentRefusal(items, key);
    if (refusal) throw new ForbiddenException(refusal);
    const outcome = await this.intake.consent(items, new Date(), httpAttribution(key));
    await this.publisher.publishAll([
      { topic: Topic.ConsentNormalizedV1, records: outcome.accepted },
      { topic: Topic.DeadLetterV1, records: await httpDeadLettersFor('ingest', outcome.refused, this.deadLetters) },
    ]);
    return answer('consents', outcome);
  }

  private items(body: unknown, field: string): unknown[] {
    const items = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
    if (!Array.isArray(items)) throw new BadRequestException(`body must be a JSON object with an array "${field}"`);
    if (items.length === 0) throw new BadRequestException(`"${field}" is empty`);
    if (items.length > this.config.HTTP_MAX_BATCH) {
      throw new BadRequestException(`"${field}" has ${items.length} items; at most ${this.config.HTTP_MAX_BATCH} per request`);
    }
    return items;
  }
}

function answer<T>(route: string, outcome: IntakeOutcome<T>): IntakeResponse {
  const accepted = outcome.accepted.length;
  const rejected = outcome.results.length - accepted;
  httpItems.inc({ route, result: 'accepted' }, accepted);
  httpItems.inc({ route, result: 'rejected' }, rejected);
  return { accepted, rejected, results: outcome.results };
}
