import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { onlyRecords, type RecordBatch } from '@wt/kafka';
import { ErasureRelease } from './erasure-release';

/** The dispatcher keys the assistant's replies `reply:<replyId>` in its ledger, and reports their statuses under that id. */
const REPLY_PREFIX = 'reply:';
const REPLY_MARK = Buffer.from(`"${REPLY_PREFIX}`);
/** False only for a status that cannot be one of a reply: its JSON lacks `"reply:`. */
export const mayBeReplyStatus = (value: Buffer): boolean => value.includes(REPLY_MARK);

/**
 * `whatsapp.message.status.v1`, only the statuses of the assistant's own replies (every other status
 * is skipped unparsed): the first one of a delete confirmation releases its erasure request.
 */
@Controller()
export class ReplyStatusesConsumer {
  constructor(private readonly erasures: ErasureRelease) {}

  @EventPattern(Topic.WhatsappMessageStatusV1, onlyRecords(mayBeReplyStatus))
  async onStatuses(@Payload() batch: RecordBatch<Topic.WhatsappMessageStatusV1>): Promise<void> {
    const replyIds = batch.records.flatMap(({ value }) =>
      value.decisionId.startsWith(REPLY_PREFIX) ? [value.decisionId.slice(REPLY_PREFIX.length)] : [],
    );
    await this.erasures.confirmed(replyIds);
  }
}
