import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { counter } from '@wt/observability';
import { PhoneNumberService } from '../business/phone-number.service';
import { ConversationService, UnreadableContactError } from './conversation.service';

const messagesTotal = counter({
  name: 'wt_assistant_messages_total',
  help: 'Inbound messages handled by the assistant, by outcome',
  labelNames: ['outcome'],
});

/** `whatsapp.inbound.v1`: each message to a number a business registered goes to ConversationService. */
@Controller()
export class InboundConsumer {
  constructor(
    private readonly phoneNumbers: PhoneNumberService,
    private readonly conversations: ConversationService,
  ) {}

  @EventPattern(Topic.WhatsappInboundV1)
  async onInbound(@Payload() batch: RecordBatch<Topic.WhatsappInboundV1>): Promise<void> {
    const owners = await this.phoneNumbers.owners(batch.records.map((r) => r.value.phoneNumberId));
    for (const record of batch.records) {
      const businessId = owners.get(record.value.phoneNumberId);
      if (!businessId) {
        messagesTotal.inc({ outcome: 'not_served' });
        continue;
      }
      try {
        const outcome = await this.conversations.handle(record.value, businessId, new Date(), record.headers);
        messagesTotal.inc({ outcome });
      } catch (error) {
        if (!(error instanceof UnreadableContactError)) throw error;
        // Nothing was committed for this message: it goes to the dead letters, replayable once the key is right.
        batch.reject(record, 'processing_failed', error.message);
        messagesTotal.inc({ outcome: 'unreadable_contact' });
      }
    }
  }
}
