import { Module } from '@nestjs/common';
import { AudienceStore } from './audience.store';

/** The audience: the latest snapshot of each opted-in person, by business. */
@Module({ providers: [AudienceStore], exports: [AudienceStore] })
export class AudienceModule {}
