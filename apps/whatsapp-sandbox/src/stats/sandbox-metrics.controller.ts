import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Gauge, Registry } from 'prom-client';
import { SandboxStats } from './sandbox-stats';

/**
 * `GET /metrics` like every service: the sandbox's counters (`GET /sandbox/stats`) in Prometheus
 * text, read at scrape time. Gauges, not counters: `POST /sandbox/reset` sets them back to zero.
 */
@Controller('metrics')
@ApiTags('health')
export class SandboxMetricsController {
  private readonly registry = new Registry();

  constructor(stats: SandboxStats) {
    const registers = [this.registry];
    new Gauge({
      name: 'wt_sandbox_messages',
      help: 'Sends answered since the start or the last reset, by outcome (accepted, rejected) and Graph error code',
      labelNames: ['outcome', 'code'],
      registers,
      collect() {
        const { accepted, rejected } = stats.read();
        this.reset();
        this.set({ outcome: 'accepted', code: '' }, accepted);
        for (const [code, count] of Object.entries(rejected)) this.set({ outcome: 'rejected', code }, count);
      },
    });
    new Gauge({
      name: 'wt_sandbox_statuses',
      help: 'Message statuses emitted since the start or the last reset, by status',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        for (const [status, count] of Object.entries(stats.read().statuses)) this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'wt_sandbox_webhooks',
      help: 'Webhook deliveries since the start or the last reset, by outcome (delivered, failed, failedAttempts, skipped, pending)',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        for (const [outcome, count] of Object.entries(stats.read().webhooks)) this.set({ outcome }, count);
      },
    });
    new Gauge({
      name: 'wt_sandbox_inbound_messages',
      help: 'Inbound messages simulated since the start or the last reset',
      registers,
      collect() {
        this.set(stats.read().inbound);
      },
    });
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description:
      'Prometheus text exposition of the sandbox counters: sends by outcome and Graph error code, statuses, webhooks, inbound messages',
    schema: { type: 'string', example: 'wt_sandbox_messages{outcome="rejected",code="130429"} 3' },
  })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
