import { Body, Controller, HttpCode, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { InboundMessageDto } from './inbound-message.dto';
import { type InboundReceipt, InboundService } from './inbound.service';

/** Simulates a person writing to the business (the real API has no such endpoint). */
@Controller('sandbox/inbound')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class InboundController {
  constructor(private readonly inbound: InboundService) {}

  @Post()
  @HttpCode(202)
  receive(@Body() message: InboundMessageDto): InboundReceipt {
    return this.inbound.receive(message);
  }
}
