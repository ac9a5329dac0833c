// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { loadConfig } from '@wt/config';
import { Pseudonymizer } from '@wt/identity';
import { kafkaConnectionOf, phoneOwner } from '@wt/kafka';
import { main, runService } from '@wt/runtime';
import { ingestModule } from './app.module';
import { apiKeyCommand } from './auth/api-key.command';
import { IngestConfig } from './ingest.config';

main(async () => {
  if (process.argv[2] === 'api-key') {
    process.exitCode = await apiKeyCommand(process.argv.slice(3));
    return;
  }
  const config = loadConfig(IngestConfig);
  await runService({
    name: 'ingest',
    module: ingestModule(config),
    port: config.PORT,
    bodyLimit: config.HTTP_BODY_LIMIT,
    consumer: {
      connection: kafkaConnectionOf(config, 'ingest'),
      groupId: `${config.KAFKA_GROUP_PREFIX}.ingest`,
      // Its dead letters of public inputs are sealed under the key of the number's owner.
      personOf: phoneOwner(new Pseudonymizer(config.PSEUDONYM_SECRET), config.DEFAULT_REGION),
      callsConcurrently: 2,
    },
  });
});
