import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '@wt/runtime';
import { ConversionsLedger } from './conversions/conversions-ledger';
import { FaultBook } from './faults/fault-book';
import { MessageStore } from './messages/message-store';
import { MessagesService } from './messages/messages.service';
import { ServiceWindows } from './messages/service-windows';
import { SandboxStats } from './stats/sandbox-stats';

/** `POST /sandbox/reset`: the one place that reaches into every domain module (an app-level file, like app.module.ts). */
@Controller('sandbox')
@ApiTags('sandbox (tests)')
export class SandboxResetController {
  constructor(
    private readonly stats: SandboxStats,
    private readonly store: MessageStore,
    private readonly windows: ServiceWindows,
    private readonly faults: FaultBook,
    private readonly messages: MessagesService,
    private readonly conversions: ConversionsLedger,
  ) {}

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
