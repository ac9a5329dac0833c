import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { ConversationService } from './conversation.service';

/** `targeting.decisions.v1`: the marketing decisions, kept so that WHY can explain the last one sent. */
@Controller()
export class DecisionsConsumer {
  constructor(private readonly conversations: ConversationService) {}

  @EventPattern(Topic.TargetingDecisionsV1)
  async onDecisions(@Payload() batch: RecordBatch<Topic.TargetingDecisionsV1>): Promise<void> {
    await this.conversations.saveDecisions(batch.records.map((r) => r.value));
  }
}
