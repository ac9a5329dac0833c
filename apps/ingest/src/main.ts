import 'reflect-metadata';
import { loadConfig } from '@wt/config';
import { Pseudonymizer } from '@wt/identity';
import { kafkaConnectionOf, phoneOwner } from '@wt/kafka';
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
      // Its dead letters of public inputs are sealed under the key of the number's owner.
      personOf: phoneOwner(new Pseudonymizer(config.PSEUDONYM_SECRET), config.DEFAULT_REGION),
      callsConcurrently: 2,
    },
  });
});
