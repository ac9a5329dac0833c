import { Module } from '@nestjs/common';
import { ConsentConsumer, EngagementConsumer, IdentityMergeConsumer, InboundConsumer } from './profile.consumers';
import { ProfileRecords } from './profile-records.service';
import { ProfileUpdates } from './profile-updates.service';
import { ProfileStore } from './profile.store';
import { RetentionPurge, RetentionScheduler } from './retention-purge';

/**
 * Profiles: one consumer per input topic delegating to ProfileUpdates; ProfileStore opens every
 * transaction. Exports ProfileRecords for privacy/ (an erasure locks the profile in its own
 * transaction, through the store's lock) and the purge for the one-shot CronJob mode; ProfileStore
 * stays inside profile/.
 */
@Module({
  controllers: [EngagementConsumer, ConsentConsumer, InboundConsumer, IdentityMergeConsumer],
  providers: [ProfileStore, ProfileRecords, ProfileUpdates, RetentionPurge, RetentionScheduler],
  exports: [ProfileRecords, RetentionPurge],
})
export class ProfileModule {}
