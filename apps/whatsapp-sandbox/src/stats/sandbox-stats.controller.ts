import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ConversionsLedger } from '../conversions/conversions-ledger';
import { FaultBook } from '../faults/fault-book';
import { MessageStore } from '../messages/message-store';
import { MessagesService } from '../messages/messages.service';
import { ServiceWindows } from '../messages/service-windows';
import { SandboxStats, type SandboxStatsSnapshot } from './sandbox-stats';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '@wt/runtime';
import { STATS_SCHEMA } from '../openapi/sandbox-schemas';

@Controller('sandbox')
@ApiTags('sandbox (tests)')
export class SandboxStatsController {
  constructor(
    private readonly stats: SandboxStats,
    private readonly store: MessageStore,
    private readonly windows: ServiceWindows,
    private readonly faults: FaultBook,
    private readonly messages: MessagesService,
    private readonly conversions: ConversionsLedger,
  ) {}

  @Get('stats')
  @ApiAnswer(200, 'Counters since the start or the last reset', STATS_SCHEMA)
  read(): SandboxStatsSnapshot {
    return this.stats.read();
  }

  /** Forgets messages, service windows, limits, faults and counters (webhooks under way still finish). */
  @Post('reset')
  @HttpCode(204)
  @ApiAnswer(204, 'Forgotten')
  reset(): void {
    this.store.clear();
    this.windows.clear();
    this.faults.clear();
    this.messages.clear();
    this.stats.clear();
    this.conversions.clear();
  }
}
