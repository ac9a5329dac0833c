import { Body, Controller, HttpCode, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { InboundMessageDto } from './inbound-message.dto';
import { type InboundReceipt, InboundService } from './inbound.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '@wt/runtime';
import { INBOUND_RECEIPT_SCHEMA } from '../openapi/sandbox-schemas';

/** Simulates a person writing to the business (the real API has no such endpoint). */
@Controller('sandbox/inbound')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
@ApiTags('sandbox (tests)')
export class InboundController {
  constructor(private readonly inbound: InboundService) {}

  @Post()
  @HttpCode(202)
  @ApiAnswer(202, 'Received: the 24 h window is open and a messages webhook is on its way', INBOUND_RECEIPT_SCHEMA)
  receive(@Body() message: InboundMessageDto): InboundReceipt {
    return this.inbound.receive(message);
  }
}
