import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { apiKeyOf } from '@wt/business-auth';
import { VaultModule } from '@wt/vault';
import { serviceFoundation } from '@wt/runtime';
import { IngestConfig } from './ingest.config';
import { HttpDoorModule } from './http/http-door.module';
import { KafkaDoorModule } from './kafka-door/kafka-door.module';
import { INGEST_MIGRATIONS } from './migrations';

/**
 * Ingest: the root wiring (configuration, Kafka, key vault, database, rate limits) and one module
 * per domain folder: `normalization/` (shared by both doors), `kafka-door/`, `http/`.
 */
export function ingestModule(config: IngestConfig) {
  @Module({
    imports: [
      ...serviceFoundation({ service: 'ingest', schema: IngestConfig, config, migrations: INGEST_MIGRATIONS }),
      VaultModule.forRoot(config, 'ingest'),
      // Per API key (the HTTP doors' ApiKeyScopeGuard runs first), in this replica's memory.
      ThrottlerModule.forRoot({
        throttlers: [{ ttl: config.HTTP_RATE_LIMIT_WINDOW_SECONDS * 1000, limit: config.HTTP_RATE_LIMIT_PER_KEY }],
        errorMessage: `more than ${config.HTTP_RATE_LIMIT_PER_KEY} requests in ${config.HTTP_RATE_LIMIT_WINDOW_SECONDS} s with this API key; retry after Retry-After seconds`,
        getTracker: (request) => {
          const key = apiKeyOf(request);
          return key ? `key:${key.keyId}` : `ip:${String(request['ip'])}`;
        },
      }),
      KafkaDoorModule,
      HttpDoorModule,
    ],
  })
  class IngestModule {}
  return IngestModule;
}
