import { Module } from '@nestjs/common';
import { ContactSealer, Pseudonymizer } from '@wt/identity';
import { IngestConfig } from '../ingest.config';
import { EventNormalizer } from './event-normalizer';

/** Validated input events into the internal form: personId, sealed contact, checked time. Used by both doors. */
@Module({
  providers: [
    {
      provide: EventNormalizer,
      inject: [IngestConfig, ContactSealer],
      useFactory: (config: IngestConfig, sealer: ContactSealer) =>
        new EventNormalizer(new Pseudonymizer(config.PSEUDONYM_SECRET), sealer, {
          defaultRegion: config.DEFAULT_REGION,
          maxAgeMs: config.MAX_EVENT_AGE_DAYS * 86_400_000,
          maxFutureSkewMs: config.MAX_FUTURE_SKEW_SECONDS * 1000,
        }),
    },
  ],
  exports: [EventNormalizer],
})
export class NormalizationModule {}
