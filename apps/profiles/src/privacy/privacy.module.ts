import { Module } from '@nestjs/common';
import { ProfileModule } from '../profile/profile.module';
import { PrivacyConsumer } from './privacy.consumer';
import { PrivacyService } from './privacy.service';
import { ProfilesHttpController } from './profiles-http.controller';
import { ProfilePathRedaction } from './redact-profile-url.middleware';

/** Erasure, export and the operators' profile view: privacy requests from Kafka and HTTP, through PrivacyService. */
@Module({
  imports: [ProfileModule],
  controllers: [PrivacyConsumer, ProfilesHttpController],
  providers: [PrivacyService, ProfilePathRedaction],
})
export class PrivacyModule {}
