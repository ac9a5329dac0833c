// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { apiKeyCommand } from '@wt/business-auth';
import { DatabaseEnv, loadConfig } from '@wt/config';
import { postgresOptions } from '@wt/database';
import { kafkaConnectionOf } from '@wt/kafka';
import { main, runProgram, runService, serviceProgram } from '@wt/runtime';
import { DataSource } from 'typeorm';
import { assistantModule } from './app.module';
import { AssistantConfig } from './assistant.config';
import { ASSISTANT_MIGRATIONS } from './migrations';

main(async () => {
  const program = serviceProgram('assistant', async () => {
    const config = loadConfig(AssistantConfig);
    await runService({
      name: 'assistant',
      module: assistantModule(config),
      port: config.PORT,
      consumer: {
        connection: kafkaConnectionOf(config, 'assistant'),
        groupId: `${config.KAFKA_GROUP_PREFIX}.assistant`,
        callsConcurrently: 2,
      },
    });
  });
  program.addCommand(
    apiKeyCommand({
      businessKeyFor: "the assistant's business API (knowledge, agents) of that business",
      dataSource: () =>
        new DataSource(
          postgresOptions({
            url: loadConfig(DatabaseEnv).DATABASE_URL,
            entities: [],
            migrations: ASSISTANT_MIGRATIONS,
            runMigrations: false,
            applicationName: 'assistant-cli',
          }),
        ),
    }),
  );
  process.exitCode = await runProgram(program);
});
