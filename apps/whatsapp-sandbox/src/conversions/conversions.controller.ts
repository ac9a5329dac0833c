import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors } from '@wt/runtime';
import { IsInt, Max, Min } from 'class-validator';
import { AccessTokenGuard } from '../graph/access-token.guard';
import { GraphApiError } from '../graph/graph-api.error';
import { GRAPH_ERROR_SCHEMA } from '../openapi/sandbox-schemas';
import { type ConversionFault, ConversionsLedger, type ReceivedConversion } from './conversions-ledger';

/** `POST /sandbox/conversions/faults`: the next `times` requests to the Conversions API are refused with this error. */
export class ConversionFaultDto {
  @IsInt()
  @Min(1)
  @Max(100_000)
  code: number;

  @IsInt()
  @Min(400)
  @Max(599)
  httpStatus: number;

  @IsInt()
  @Min(1)
  @Max(1000)
  times: number;
}

/** Meta's Conversions API for business messaging: `POST /{version}/{dataset-id}/events`. */
@Controller()
@UseGuards(AccessTokenGuard)
@ApiTags('graph api')
@ApiBearerAuth()
export class ConversionsController {
  constructor(private readonly ledger: ConversionsLedger) {}

  @Post(':version/:datasetId/events')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: { type: 'object' } } } } })
  @ApiAnswer(200, 'Received (a repeated event_id is counted, kept once)', {
    type: 'object',
    properties: {
      events_received: { type: 'integer' },
      messages: { type: 'array', items: { type: 'string' } },
      fbtrace_id: { type: 'string' },
    },
  })
  @ApiErrors(
    { 400: 'Graph error 100 naming the first bad field of the events', 401: 'Graph error 190: no valid access token' },
    GRAPH_ERROR_SCHEMA,
  )
  events(
    @Param('version') version: string,
    @Param('datasetId') datasetId: string,
    @Body() body: unknown,
  ): { events_received: number; messages: string[]; fbtrace_id: string } {
    if (!/^v\d+\.\d+$/.test(version)) throw new GraphApiError(400, 100, `(#100) Unknown API version ${version}`);
    if (!/^\d{1,32}$/.test(datasetId)) throw new GraphApiError(400, 100, `(#100) Object with ID '${datasetId}' does not exist`);
    return { ...this.ledger.receive(datasetId, body), fbtrace_id: `sandbox-${Date.now().toString(36)}` };
  }
}

/** What the Conversions API received, for tests; faults on it. */
@Controller('sandbox/conversions')
@ApiTags('sandbox (tests)')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class SandboxConversionsController {
  constructor(private readonly ledger: ConversionsLedger) {}

  @Get()
  @ApiAnswer(200, 'Conversion events received (one per event_id), with the counts of duplicates and refused requests', {
    type: 'object',
    properties: {
      events: { type: 'array', items: { type: 'object' } },
      duplicates: { type: 'integer' },
      refusedRequests: { type: 'integer' },
    },
  })
  list(@Query('datasetId') datasetId?: string): { events: ReceivedConversion[]; duplicates: number; refusedRequests: number } {
    const { duplicates, refusedRequests } = this.ledger.stats();
    return { events: this.ledger.list(datasetId), duplicates, refusedRequests };
  }

  @Post('faults')
  @HttpCode(201)
  @ApiAnswer(201, 'The next `times` requests are refused with this Graph error', {
    type: 'object',
    required: ['code', 'httpStatus', 'times'],
    properties: { code: { type: 'integer' }, httpStatus: { type: 'integer' }, times: { type: 'integer' } },
  })
  fault(@Body() fault: ConversionFaultDto): ConversionFault {
    return this.ledger.addFault({ ...fault });
  }
}
