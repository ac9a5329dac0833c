import { Module } from '@nestjs/common';
import { Topic } from '@wt/contracts';
import { ContactSealer, Pseudonymizer } from '@wt/identity';
import { KafkaPublisher } from '@wt/kafka';
import { PostgresPersonIdentifiers } from '@wt/vault';
import { IngestConfig } from '../ingest.config';
import { EventNormalizer } from './event-normalizer';
import { PersonResolver } from './person-resolver';

/**
 * Validated input events into the internal form: personId (following the identifier links), sealed
 * contact, checked time. Used by both doors.
 */
@Module({
  providers: [
    {
      provide: PersonResolver,
      inject: [IngestConfig, ContactSealer, PostgresPersonIdentifiers, KafkaPublisher],
      useFactory: (config: IngestConfig, sealer: ContactSealer, identifiers: PostgresPersonIdentifiers, publisher: KafkaPublisher) =>
        new PersonResolver(new Pseudonymizer(config.PSEUDONYM_SECRET), sealer, identifiers, {
          publishMerges: (merges) =>
            publisher.publish<Topic.IdentityMergesV1>(
              Topic.IdentityMergesV1,
              merges.map((m) => ({ key: m.intoPersonId, value: m })),
            ),
        }),
    },
    {
      provide: EventNormalizer,
      inject: [IngestConfig, ContactSealer, PersonResolver],
      useFactory: (config: IngestConfig, sealer: ContactSealer, resolver: PersonResolver) =>
        new EventNormalizer(
          new Pseudonymizer(config.PSEUDONYM_SECRET),
          sealer,
          {
            defaultRegion: config.DEFAULT_REGION,
            maxAgeMs: config.MAX_EVENT_AGE_DAYS * 86_400_000,
            maxFutureSkewMs: config.MAX_FUTURE_SKEW_SECONDS * 1000,
          },
          resolver,
        ),
    },
  ],
  exports: [EventNormalizer],
})
export class NormalizationModule {}
