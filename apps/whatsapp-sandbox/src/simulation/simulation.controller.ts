import { Body, Get, Put } from '@nestjs/common';
import { ApiAnswer } from '@wt/runtime';
import { IsInt, Max, Min } from 'class-validator';
import { SIMULATION_STATE_SCHEMA } from '../openapi/sandbox-schemas';
import { type SimulationState, SimulatedRecipients } from './simulated-recipients';
import { SandboxController } from '../openapi/sandbox-controller';

export class SimulationRoundDto {
  /** The simulated day: messages of the last 7 rounds tire a person; a burst of intent peaks on its round. */
  @IsInt()
  @Min(0)
  @Max(100_000)
  round: number;
}

/** The simulated recipients' world, for evaluations (the real API has none of it). */
@SandboxController('simulation')
export class SimulationController {
  constructor(private readonly recipients: SimulatedRecipients) {}

  @Get()
  @ApiAnswer(200, 'Which population answers and its current round', SIMULATION_STATE_SCHEMA)
  read(): SimulationState {
    return this.recipients.state;
  }

  @Put()
  @ApiAnswer(200, 'The round set', SIMULATION_STATE_SCHEMA)
  setRound(@Body() body: SimulationRoundDto): SimulationState {
    return this.recipients.setRound(body.round);
  }
}
