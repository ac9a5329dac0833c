import { Module } from '@nestjs/common';
import { AssistantPrivacyService } from './assistant-privacy.service';
import { AssistantPrivacyStore } from './assistant-privacy.store';
import { ErasureRelease } from './erasure-release';
import { PendingErasureStore } from './pending-erasure.store';
import { PrivacyConsumer } from './privacy.consumer';
import { ReplyStatusesConsumer } from './reply-statuses.consumer';

/**
 * Privacy: erasure and export of what the assistant holds about a person (PrivacyConsumer, delegating
 * to AssistantPrivacyService, which opens the transaction), and the erasure requests asked in a
 * conversation, held until their confirmation left (ReplyStatusesConsumer reads the replies'
 * statuses). Exports ErasureRelease, which conversation/ uses to hold a request inside the message's
 * transaction.
 */
@Module({
  controllers: [PrivacyConsumer, ReplyStatusesConsumer],
  providers: [AssistantPrivacyStore, AssistantPrivacyService, PendingErasureStore, ErasureRelease],
  exports: [ErasureRelease],
})
export class PrivacyModule {}
