import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '@wt/runtime';
import { OK_SCHEMA } from '../openapi/sandbox-schemas';

@Controller('health')
@ApiTags('health')
export class HealthController {
  /** The process runs. */
  @Get('live')
  @ApiAnswer(200, 'The process runs', OK_SCHEMA)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** The sandbox keeps its state in memory and depends on nothing: ready once listening. */
  @Get('ready')
  @ApiAnswer(200, 'Ready once listening (state is in memory)', OK_SCHEMA)
  ready(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
