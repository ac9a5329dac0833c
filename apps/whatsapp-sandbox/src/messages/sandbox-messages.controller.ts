import { Controller, Get, Query } from '@nestjs/common';
import { type AcceptedMessage, MessageStore } from './message-store';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '@wt/runtime';
import { ACCEPTED_MESSAGE_SCHEMA } from '../openapi/sandbox-schemas';

/** Inspection of accepted messages, for tests and the demo. */
@Controller('sandbox/messages')
@ApiTags('sandbox (tests)')
export class SandboxMessagesController {
  constructor(private readonly store: MessageStore) {}

  /** Accepted messages in order, optionally to one recipient and/or from one phone_number_id. */
  @Get()
  @ApiQuery({ name: 'to', required: false, description: 'Recipient: a number (digits compared) or a business-scoped user id' })
  @ApiQuery({ name: 'phoneNumberId', required: false })
  @ApiAnswer(200, 'Accepted messages in order, with the statuses emitted', { type: 'array', items: ACCEPTED_MESSAGE_SCHEMA })
  list(@Query('to') to?: string, @Query('phoneNumberId') phoneNumberId?: string): AcceptedMessage[] {
    return this.store.list({ ...(to ? { to } : {}), ...(phoneNumberId ? { phoneNumberId } : {}) });
  }
}
