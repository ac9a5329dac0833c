import { Controller, Get } from '@nestjs/common';

@Controller('health')
export class HealthController {
  /** The process runs. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** The sandbox keeps its state in memory and depends on nothing: ready once listening. */
  @Get('ready')
  ready(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
