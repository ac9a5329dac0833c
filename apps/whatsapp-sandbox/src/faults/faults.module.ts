import { Module } from '@nestjs/common';
import { FaultBook } from './fault-book';
import { FaultsController } from './faults.controller';

/** Faults the tests arm (`/sandbox/faults`), read by the send path. */
@Module({
  controllers: [FaultsController],
  providers: [FaultBook],
  exports: [FaultBook],
})
export class FaultsModule {}
