import { Module } from '@nestjs/common';
import { AudienceService } from './audience.service';

/** The audience: the latest snapshot of each opted-in person, by business. */
@Module({ providers: [AudienceService], exports: [AudienceService] })
export class AudienceModule {}
