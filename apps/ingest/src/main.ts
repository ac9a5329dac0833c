// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { apiKeyCommand } from '@wt/business-auth';
import { loadConfig } from '@wt/config';
import { operatorDataSource } from '@wt/database';
import { Pseudonymizer } from '@wt/identity';
import { phoneOwner } from '@wt/kafka';
import { main, runProgram, runService, serviceConsumer, serviceProgram } from '@wt/runtime';
import { ingestModule } from './app.module';
import { IngestConfig } from './ingest.config';
import { INGEST_MIGRATIONS } from './migrations';

main(async () => {
  const program = serviceProgram('ingest', async () => {
    const config = loadConfig(IngestConfig);
    await runService({
      name: 'ingest',
      module: ingestModule(config),
      port: config.PORT,
      bodyLimit: config.HTTP_BODY_LIMIT,
      consumer: serviceConsumer(config, 'ingest', {
        // Its dead letters of public inputs are sealed under the key of the number's owner.
        personOf: phoneOwner(new Pseudonymizer(config.PSEUDONYM_SECRET), config.DEFAULT_REGION),
        callsConcurrently: 2,
      }),
    });
  });
  program.addCommand(
    apiKeyCommand({
      businessKeyFor: 'consent:write, POST /v1/consents of that business',
      businessScopes: ['consent:write'],
      producers: true,
      dataSource: () => operatorDataSource('ingest', { entities: [], migrations: INGEST_MIGRATIONS }),
    }),
  );
  process.exitCode = await runProgram(program);
});
