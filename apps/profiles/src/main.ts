// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@wt/config';
import { Pseudonymizer } from '@wt/identity';
import { KafkaPublisher, phoneOwner } from '@wt/kafka';
import { main, runService, serviceConsumer } from '@wt/runtime';
import { Logger } from 'nestjs-pino';
import { profilesModule } from './app.module';
import { RetentionPurge } from './profile/retention-purge';
import { ProfilesConfig } from './profiles.config';

main(async () => {
  const config = loadConfig(ProfilesConfig);
  if (process.env['WT_RUN_MODE'] === 'retention-purge') {
    await retentionPurgeOnce(config);
    // A one-shot (the Kubernetes CronJob): nothing else to run.
    process.exit(0);
  }
  await runService({
    name: 'profiles',
    module: profilesModule(config),
    port: config.PORT,
    consumer: serviceConsumer(config, 'profiles', {
      // Its dead letters of public inputs are sealed under the key of the number's owner.
      personOf: phoneOwner(new Pseudonymizer(config.PSEUDONYM_SECRET), config.DEFAULT_REGION),
      callsConcurrently: 3,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      maxBytesPerPartition: config.KAFKA_MAX_BYTES_PER_PARTITION,
    }),
  });
});

/**
 * `WT_RUN_MODE=retention-purge`: one retention purge as of now (the CronJob), then exit. No HTTP
 * server, no consumer. When a replica is purging already, it says so and exits 0.
 */
async function retentionPurgeOnce(config: ProfilesConfig): Promise<void> {
  const context = await NestFactory.createApplicationContext(profilesModule(config), { abortOnError: false, bufferLogs: true });
  const logger = context.get(Logger);
  context.useLogger(logger);
  try {
    const result = await context.get(RetentionPurge).runExclusive(new Date());
    logger.log(
      result.ran
        ? `retention purge before ${result.cutoffDay}: ${result.people} people recomputed, ${result.days} days and ${result.dedupeRecords} dedupe records deleted`
        : `retention purge skipped: another process holds the purge lock`,
    );
  } finally {
    await context.get(KafkaPublisher).disconnect();
    await context.close();
  }
}
