import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Post,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { type Fault, FaultBook } from './fault-book';
import { FaultDto } from './fault.dto';

/** Failure injection for tests. The real API has none: it lives under `/sandbox`, never under a Graph path. */
@Controller('sandbox/faults')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class FaultsController {
  constructor(private readonly faults: FaultBook) {}

  @Post()
  @HttpCode(201)
  add(@Body() fault: FaultDto): Fault {
    return this.faults.add(fault);
  }

  @Get()
  list(): Fault[] {
    return this.faults.list();
  }

  @Delete()
  clear(): { cleared: number } {
    return { cleared: this.faults.clear() };
  }
}
