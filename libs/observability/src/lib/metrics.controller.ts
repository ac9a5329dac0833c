import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { register } from 'prom-client';

@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description:
      'Prometheus text exposition: records consumed per stage (wt_records_consumed_total), consumer lag (wt_consumer_lag), ' +
      "batch latency histograms (wt_batch_processing_seconds), dead letters (wt_dead_letters_total) and the service's own counters",
    schema: { type: 'string', example: 'wt_consumer_lag{topic="consent.v1",partition="0",service="ingest"} 0' },
  })
  metrics(): Promise<string> {
    return register.metrics();
  }
}
