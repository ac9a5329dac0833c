import { Module } from '@nestjs/common';
import { SandboxMetricsController } from './sandbox-metrics.controller';
import { SandboxStats } from './sandbox-stats';
import { SandboxStatsController } from './sandbox-stats.controller';

/** The sandbox's counters (`GET /sandbox/stats`, `/metrics`): every other module counts through SandboxStats. */
@Module({
  controllers: [SandboxStatsController, SandboxMetricsController],
  providers: [SandboxStats],
  exports: [SandboxStats],
})
export class StatsModule {}
