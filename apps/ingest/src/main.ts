import 'reflect-metadata';
import { loadConfig } from '@wt/config';
import { kafkaConnectionOf } from '@wt/kafka';
import { main, runService } from '@wt/runtime';
import { ingestModule } from './app.module';
import { IngestConfig } from './ingest.config';

main(async () => {
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
