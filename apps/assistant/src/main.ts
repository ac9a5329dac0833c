// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { loadConfig } from '@wt/config';
import { kafkaConnectionOf } from '@wt/kafka';
import { main, runService } from '@wt/runtime';
import { assistantModule } from './app.module';
import { AssistantConfig } from './assistant.config';
import { issueKey } from './business/issue-key';

main(async () => {
  const config = loadConfig(AssistantConfig);
  // `node main.js issue-key <businessId> [label]` prints a new API key for a business, then exits.
  if (process.argv[2] === 'issue-key') {
    await issueKey(config, process.argv[3], process.argv[4]);
    return;
  }
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
