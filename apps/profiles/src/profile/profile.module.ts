import { Module } from '@nestjs/common';
import { ConsentConsumer, EngagementConsumer, IdentityMergeConsumer, InboundConsumer } from './profile.consumers';
import { ProfileUpdates } from './profile-updates.service';
import { ProfileStore } from './profile.store';
import { RetentionPurge, RetentionScheduler } from './retention-purge';

/**
 * Profiles: one consumer per input topic delegating to ProfileUpdates; ProfileStore opens every
 * transaction. Exports the store for privacy/ (an erasure locks the profile in its own transaction)
 * and the purge for the one-shot CronJob mode.
 */
@Module({
  controllers: [EngagementConsumer, ConsentConsumer, InboundConsumer, IdentityMergeConsumer],
  providers: [ProfileStore, ProfileUpdates, RetentionPurge, RetentionScheduler],
  exports: [ProfileStore, RetentionPurge],
})
export class ProfileModule {}
