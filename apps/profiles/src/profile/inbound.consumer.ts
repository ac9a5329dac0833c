import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { ProfileUpdates } from './profile-updates.service';

/** `whatsapp.inbound.v1`: inbound messages open the customer-service window (ProfileUpdates.inbound). */
@Controller()
export class InboundConsumer {
  constructor(private readonly updates: ProfileUpdates) {}

  @EventPattern(Topic.WhatsappInboundV1)
  async on(@Payload() batch: RecordBatch<Topic.WhatsappInboundV1>): Promise<void> {
    await this.updates.inbound(batch);
  }
}
