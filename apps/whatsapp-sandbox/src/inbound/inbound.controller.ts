import { Body, HttpCode, Post } from '@nestjs/common';
import { InboundMessageDto } from './inbound-message.dto';
import { type InboundReceipt, InboundService } from './inbound.service';
import { ApiAnswer } from '@wt/runtime';
import { INBOUND_RECEIPT_SCHEMA } from '../openapi/sandbox-schemas';
import { SandboxController } from '../openapi/sandbox-controller';

/** Simulates a person writing to the business (the real API has no such endpoint). */
@SandboxController('inbound')
export class InboundController {
  constructor(private readonly inbound: InboundService) {}

  @Post()
  @HttpCode(202)
  @ApiAnswer(202, 'Received: the 24 h window is open and a messages webhook is on its way', INBOUND_RECEIPT_SCHEMA)
  receive(@Body() message: InboundMessageDto): InboundReceipt {
    return this.inbound.receive(message);
  }
}
