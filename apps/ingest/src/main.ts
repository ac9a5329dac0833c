// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { apiKeyCommand } from '@wt/business-auth';
import { DatabaseEnv, loadConfig } from '@wt/config';
import { postgresOptions } from '@wt/database';
import { Pseudonymizer } from '@wt/identity';
import { kafkaConnectionOf, phoneOwner } from '@wt/kafka';
import { main, runProgram, runService, serviceProgram } from '@wt/runtime';
import { DataSource } from 'typeorm';
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
      consumer: {
        connection: kafkaConnectionOf(config, 'ingest'),
        groupId: `${config.KAFKA_GROUP_PREFIX}.ingest`,
        // Its dead letters of public inputs are sealed under the key of the number's owner.
        personOf: phoneOwner(new Pseudonymizer(config.PSEUDONYM_SECRET), config.DEFAULT_REGION),
        callsConcurrently: 2,
      },
    });
  });
  program.addCommand(
    apiKeyCommand({
      businessKeyFor: 'consent:write, POST /v1/consents of that business',
      businessScopes: ['consent:write'],
      producers: true,
      // Only the database's variables: the operator needs no pseudonym secret or vault key to issue a key.
      dataSource: () =>
        new DataSource(
          postgresOptions({
            url: loadConfig(DatabaseEnv).DATABASE_URL,
            entities: [],
            migrations: INGEST_MIGRATIONS,
            runMigrations: false,
            applicationName: 'ingest-cli',
          }),
        ),
    }),
  );
  process.exitCode = await runProgram(program);
});
