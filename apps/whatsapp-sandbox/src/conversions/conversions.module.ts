import { Module } from '@nestjs/common';
import { ConversionsController, SandboxConversionsController } from './conversions.controller';
import { ConversionsLedger } from './conversions-ledger';

/** Conversion events received from businesses (Conversions API stand-in). */
@Module({
  controllers: [ConversionsController, SandboxConversionsController],
  providers: [ConversionsLedger],
  exports: [ConversionsLedger],
})
export class ConversionsModule {}
