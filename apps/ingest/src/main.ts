import 'reflect-metadata';
import { loadConfig } from '@wt/config';
import { kafkaConnectionOf } from '@wt/kafka';
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
      callsConcurrently: 2,
    },
  });
});
