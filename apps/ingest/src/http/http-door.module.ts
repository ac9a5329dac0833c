import { Module } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiKeyScopeGuard, ApiKeyStore } from '@wt/business-auth';
import { ContactSealer, Pseudonymizer } from '@wt/identity';
import { DeadLetterSealer, phoneOwner } from '@wt/kafka';
import { IngestConfig } from '../ingest.config';
import { EventNormalizer } from '../normalization/event-normalizer';
import { NormalizationModule } from '../normalization/normalization.module';
import { HttpIntake } from './http-intake';
import { IngestHttpController } from './ingest-http.controller';

/** The HTTP door: API keys, rate limit per key, the same validation and normalization as the Kafka door. */
@Module({
  imports: [NormalizationModule],
  controllers: [IngestHttpController],
  providers: [
    ApiKeyStore,
    ApiKeyScopeGuard,
    ThrottlerGuard,
    {
      // The HTTP doors' dead letters are sealed like the consumer's: under the number's owner, so erasure reaches them.
      provide: DeadLetterSealer,
      inject: [IngestConfig, ContactSealer],
      useFactory: (config: IngestConfig, sealer: ContactSealer) =>
        new DeadLetterSealer(sealer, phoneOwner(new Pseudonymizer(config.PSEUDONYM_SECRET), config.DEFAULT_REGION)),
    },
    {
      provide: HttpIntake,
      inject: [IngestConfig, EventNormalizer],
      useFactory: (config: IngestConfig, normalizer: EventNormalizer) =>
        new HttpIntake(normalizer, { maxItemBytes: config.HTTP_MAX_EVENT_BYTES }),
    },
  ],
})
export class HttpDoorModule {}
