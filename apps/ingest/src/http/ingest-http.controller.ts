import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Topic } from '@wt/contracts';
import { KafkaPublisher } from '@wt/kafka';
import { Counter, register } from 'prom-client';
import { IngestConfig } from '../ingest.config';
import { EventNormalizer } from '../normalization/event-normalizer';
import { HttpIntake, type IntakeOutcome, type ItemResult } from './http-intake';
import { ConsentsRequest, EngagementEventsRequest, INTAKE_RESPONSE_SCHEMA } from './intake.openapi';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors } from '@wt/runtime';

const httpItems =
  (register.getSingleMetric('wt_ingest_http_items_total') as Counter | undefined) ??
  new Counter({
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
 */
@Controller('v1')
@ApiTags('intake')
@ApiErrors({ 400: 'Not a JSON object with a non-empty array of at most HTTP_MAX_BATCH items', 413: 'The body is over HTTP_BODY_LIMIT' })
@ApiErrors({ 500: 'Kafka did not acknowledge: nothing is answered as accepted; send again' })
export class IngestHttpController {
  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly config: IngestConfig,
    private readonly intake: HttpIntake,
    private readonly normalizer: EventNormalizer,
  ) {}

  @Post('engagement-events')
  @HttpCode(200)
  @ApiBody({ type: EngagementEventsRequest })
  @ApiAnswer(
    200,
    'One result per event: accepted ones are on internal.engagement.normalized.v1, rejected ones on the dead-letter topic',
    INTAKE_RESPONSE_SCHEMA,
  )
  async engagement(@Body() body: unknown): Promise<IntakeResponse> {
    const outcome = this.intake.engagement(this.items(body, 'events'), new Date());
    await this.normalizer.sealContacts(outcome.accepted.map((r) => r.value));
    await this.publisher.publishAll([
      { topic: Topic.EngagementNormalizedV1, records: outcome.accepted },
      { topic: Topic.DeadLetterV1, records: outcome.deadLetters },
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
  async consents(@Body() body: unknown): Promise<IntakeResponse> {
    const outcome = this.intake.consent(this.items(body, 'consents'), new Date());
    await this.normalizer.sealContacts(outcome.accepted.map((r) => r.value));
    await this.publisher.publishAll([
      { topic: Topic.ConsentNormalizedV1, records: outcome.accepted },
      { topic: Topic.DeadLetterV1, records: outcome.deadLetters },
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
