import { Body, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { type Fault, FaultBook } from './fault-book';
import { FaultDto } from './fault.dto';
import { ApiAnswer } from '@wt/runtime';
import { CLEARED_SCHEMA, FAULT_SCHEMA } from '../openapi/sandbox-schemas';
import { SandboxController } from '../openapi/sandbox-controller';

/** Failure injection for tests. The real API has none: it lives under `/sandbox`, never under a Graph path. */
@SandboxController('faults')
export class FaultsController {
  constructor(private readonly faults: FaultBook) {}

  @Post()
  @HttpCode(201)
  @ApiAnswer(201, 'The fault, armed for the next `times` matching sends', FAULT_SCHEMA)
  add(@Body() fault: FaultDto): Fault {
    return this.faults.add(fault);
  }

  @Get()
  @ApiAnswer(200, 'Faults still armed, in the order they match', { type: 'array', items: FAULT_SCHEMA })
  list(): Fault[] {
    return this.faults.list();
  }

  @Delete()
  @ApiAnswer(200, 'Every fault disarmed', CLEARED_SCHEMA)
  clear(): { cleared: number } {
    return { cleared: this.faults.clear() };
  }
}
