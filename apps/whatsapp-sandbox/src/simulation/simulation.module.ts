import { Module } from '@nestjs/common';
import { SimulatedRecipients } from './simulated-recipients';
import { SimulationController } from './simulation.controller';

/** Simulated recipients' behaviour (reads, replies, purchases) after a send. */
@Module({
  controllers: [SimulationController],
  providers: [SimulatedRecipients],
  exports: [SimulatedRecipients],
})
export class SimulationModule {}
