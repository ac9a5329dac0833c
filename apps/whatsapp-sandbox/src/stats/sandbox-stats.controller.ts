import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '@wt/runtime';
import { STATS_SCHEMA } from '../openapi/sandbox-schemas';
import { SandboxStats, type SandboxStatsSnapshot } from './sandbox-stats';

@Controller('sandbox')
@ApiTags('sandbox (tests)')
export class SandboxStatsController {
  constructor(private readonly stats: SandboxStats) {}

  @Get('stats')
  @ApiAnswer(200, 'Counters since the start or the last reset', STATS_SCHEMA)
  read(): SandboxStatsSnapshot {
    return this.stats.read();
  }
}
