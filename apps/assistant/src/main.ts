// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { apiKeyCommand } from '@wt/business-auth';
import { loadConfig } from '@wt/config';
import { commandDataSource, main, runProgram, runService, serviceConsumer, serviceProgram } from '@wt/runtime';
import { ASSISTANT_SCHEMA, assistantModule } from './app.module';
import { AssistantConfig } from './assistant.config';

main(async () => {
  const program = serviceProgram('assistant', async () => {
    const config = loadConfig(AssistantConfig);
    await runService({
      name: 'assistant',
      module: assistantModule(config),
      port: config.PORT,
      consumer: serviceConsumer(config, 'assistant', { callsConcurrently: 2 }),
    });
  });
  program.addCommand(
    apiKeyCommand({
      businessKeyFor: "the assistant's business API (knowledge, agents) of that business",
      dataSource: () => commandDataSource('assistant', ASSISTANT_SCHEMA),
    }),
  );
  process.exitCode = await runProgram(program);
});
