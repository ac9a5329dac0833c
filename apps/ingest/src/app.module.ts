import { Module } from '@nestjs/common';
import { ConfigModule } from '@wt/config';
import { ContactSealer, Pseudonymizer } from '@wt/identity';
import { kafkaConnectionOf, KafkaModule } from '@wt/kafka';
import { ObservabilityModule } from '@wt/observability';
import { VaultModule } from '@wt/vault';
import { IngestConfig } from './ingest.config';
import { IngestConsumer } from './ingest.consumer';
import { HttpIntake } from './http/http-intake';
import { IngestHttpController } from './http/ingest-http.controller';
import { EventNormalizer } from './normalization/event-normalizer';

export function ingestModule(config: IngestConfig) {
  @Module({
    imports: [
      ConfigModule.forValue(IngestConfig, config),
      ObservabilityModule.forRoot({ service: 'ingest', logLevel: config.LOG_LEVEL }),
      KafkaModule.forRoot(kafkaConnectionOf(config, 'ingest')),
      VaultModule.forRoot(config, 'ingest'),
    ],
    controllers: [IngestConsumer, IngestHttpController],
    providers: [
      {
        provide: EventNormalizer,
        inject: [ContactSealer],
        useFactory: (sealer: ContactSealer) =>
          new EventNormalizer(new Pseudonymizer(config.PSEUDONYM_SECRET), sealer, {
            defaultRegion: config.DEFAULT_REGION,
            maxAgeMs: config.MAX_EVENT_AGE_DAYS * 86_400_000,
            maxFutureSkewMs: config.MAX_FUTURE_SKEW_SECONDS * 1000,
          }),
      },
      {
        provide: HttpIntake,
        inject: [EventNormalizer],
        useFactory: (normalizer: EventNormalizer) => new HttpIntake(normalizer, { maxItemBytes: config.HTTP_MAX_EVENT_BYTES }),
      },
    ],
  })
  class IngestModule {}
  return IngestModule;
}
