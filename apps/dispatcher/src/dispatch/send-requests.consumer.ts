import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { onlyRecords, type RecordBatch } from '@wt/kafka';
import { SendQueue } from './send-queue';

const SEND = Buffer.from('"send"');

/** False only for a decision that cannot be a `send`: its JSON lacks `"send"`, which a send's outcome always is. */
export const mayBeSend = (value: Buffer): boolean => value.includes(SEND);

/**
 * What to send: scoring's `send` decisions and the assistant's replies, each topic's records handed
 * to SendQueue, which writes them to the ledger (the send queue). Offsets are committed once the
 * rows are in Postgres; the sender takes it from there, once per decision id.
 */
@Controller()
export class SendRequestsConsumer {
  constructor(private readonly queue: SendQueue) {}

  /**
   * Only `send` decisions matter here (most decisions are `suppress`): a record without the word in
   * its bytes is skipped before it is even parsed (what else holds it is filtered by the queue).
   */
  @EventPattern(Topic.TargetingDecisionsV1, onlyRecords(mayBeSend))
  async onDecisions(@Payload() batch: RecordBatch<Topic.TargetingDecisionsV1>): Promise<void> {
    await this.queue.decisions(batch.records);
  }

  /** Free-form replies inside the 24 h window. */
  @EventPattern(Topic.AssistantRepliesV1)
  async onReplies(@Payload() batch: RecordBatch<Topic.AssistantRepliesV1>): Promise<void> {
    await this.queue.replies(batch.records);
  }
}
