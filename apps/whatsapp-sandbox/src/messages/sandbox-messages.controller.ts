import { Controller, Get, Query } from '@nestjs/common';
import { type AcceptedMessage, MessageStore } from './message-store';

/** Inspection of accepted messages, for tests and the demo. */
@Controller('sandbox/messages')
export class SandboxMessagesController {
  constructor(private readonly store: MessageStore) {}

  /** Accepted messages in order, optionally to one recipient and/or from one phone_number_id. */
  @Get()
  list(
    @Query('to') to?: string,
    @Query('phoneNumberId') phoneNumberId?: string,
  ): AcceptedMessage[] {
    return this.store.list({ ...(to ? { to } : {}), ...(phoneNumberId ? { phoneNumberId } : {}) });
  }
}
