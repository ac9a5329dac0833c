import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ApiKeyScopeGuard, apiKeyOf, ApiKeyStore } from '@wt/business-auth';
import { ConfigModule } from '@wt/config';
import { postgresOptions } from '@wt/database';
import { ContactSealer, Pseudonymizer } from '@wt/identity';
import { DeadLetterSealer, kafkaConnectionOf, KafkaModule, phoneOwner } from '@wt/kafka';
import { ObservabilityModule } from '@wt/observability';
import { VaultModule } from '@wt/vault';
import { IngestConfig } from './ingest.config';
import { IngestConsumer } from './ingest.consumer';
import { HttpIntake } from './http/http-intake';
import { IngestHttpController } from './http/ingest-http.controller';
import { INGEST_MIGRATIONS } from './migrations';
import { EventNormalizer } from './normalization/event-normalizer';

export function ingestModule(config: IngestConfig) {
  @Module({
    imports: [
      ConfigModule.forValue(IngestConfig, config),
      ObservabilityModule.forRoot({ service: 'ingest', logLevel: config.LOG_LEVEL }),
      KafkaModule.forRoot(kafkaConnectionOf(config, 'ingest')),
      VaultModule.forRoot(config, 'ingest'),
      TypeOrmModule.forRoot(
        postgresOptions({
          url: config.DATABASE_URL,
          entities: [],
          migrations: INGEST_MIGRATIONS,
          runMigrations: config.DB_MIGRATIONS_RUN === 'true',
          applicationName: 'ingest',
        }),
      ),
      // Per API key (the HTTP doors' ApiKeyScopeGuard runs first), in this replica's memory.
      ThrottlerModule.forRoot({
        throttlers: [{ ttl: config.HTTP_RATE_LIMIT_WINDOW_SECONDS * 1000, limit: config.HTTP_RATE_LIMIT_PER_KEY }],
        errorMessage: `more than ${config.HTTP_RATE_LIMIT_PER_KEY} requests in ${config.HTTP_RATE_LIMIT_WINDOW_SECONDS} s with this API key; retry after Retry-After seconds`,
        getTracker: (request) => {
          const key = apiKeyOf(request);
          return key ? `key:${key.keyId}` : `ip:${String(request['ip'])}`;
        },
      }),
    ],
    controllers: [IngestConsumer, IngestHttpController],
    providers: [
      ApiKeyStore,
      ApiKeyScopeGuard,
      ThrottlerGuard,
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
        // The HTTP doors' dead letters are sealed like the consumer's: under the number's owner, so erasure reaches them.
        provide: DeadLetterSealer,
        inject: [ContactSealer],
        useFactory: (sealer: ContactSealer) =>
          new DeadLetterSealer(sealer, phoneOwner(new Pseudonymizer(config.PSEUDONYM_SECRET), config.DEFAULT_REGION)),
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
