import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { type RecordBatch } from '@wt/kafka';
import { SendQueue } from './send-queue';

/** `assistant.replies.v1`: the assistant's free-form replies, queued like campaign sends. */
@Controller()
export class RepliesConsumer {
  constructor(private readonly queue: SendQueue) {}

  @EventPattern(Topic.AssistantRepliesV1)
  async onReplies(@Payload() batch: RecordBatch<Topic.AssistantRepliesV1>): Promise<void> {
    await this.queue.replies(batch.records.map((r) => r.value));
  }
}
