import { Module } from '@nestjs/common';
import { serviceRootModules } from '@wt/runtime';
import { VaultModule } from '@wt/vault';
import { ConsentLedgerEntity } from './consent/consent-ledger.entity';
import { ConsentStateEntity } from './consent/consent-state.entity';
import { InitialSchema1764374400000 } from './migrations/1764374400000-initial-schema';
import { PurposeBoundFeatures1764460800000 } from './migrations/1764460800000-purpose-bound-features';
import { PrivacySuppression1764547200000 } from './migrations/1764547200000-privacy-suppression';
import { RetentionDayBuckets1764633600000 } from './migrations/1764633600000-retention-day-buckets';
import { ConsentAttribution1765152000000 } from './migrations/1765152000000-consent-attribution';
import { RecentInterests1765152000500 } from './migrations/1765152000500-recent-interests';
import { PersonMerge1765411200000 } from './migrations/1765411200000-person-merge';
import { ErasedPersonEntity } from './privacy/erased-person.entity';
import { PrivacyModule } from './privacy/privacy.module';
import { PersonProfileEntity } from './profile/person-profile.entity';
import { ProcessedEventEntity } from './profile/processed-event.entity';
import { ProfileModule } from './profile/profile.module';
import { ProfilesConfig } from './profiles.config';

export const PROFILES_ENTITIES = [PersonProfileEntity, ProcessedEventEntity, ConsentStateEntity, ConsentLedgerEntity, ErasedPersonEntity];
export const PROFILES_MIGRATIONS = [
  InitialSchema1764374400000,
  PurposeBoundFeatures1764460800000,
  PrivacySuppression1764547200000,
  RetentionDayBuckets1764633600000,
  ConsentAttribution1765152000000,
  RecentInterests1765152000500,
  PersonMerge1765411200000,
];

export function profilesModule(config: ProfilesConfig) {
  @Module({
    imports: [
      // Pipelined connections: ProfileStore sends a batch's statements together (two round trips a batch).
      ...serviceRootModules('profiles', ProfilesConfig, config, {
        entities: PROFILES_ENTITIES,
        migrations: PROFILES_MIGRATIONS,
        pipeline: true,
      }),
      VaultModule.forRoot(config, 'profiles'),
      // One module per domain folder (consent/ holds only the ledger's entities).
      ProfileModule,
      PrivacyModule,
    ],
  })
  class ProfilesModule {}
  return ProfilesModule;
}
