// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { loadConfig } from '@wt/config';
import { kafkaConnectionOf } from '@wt/kafka';
import { main, runService } from '@wt/runtime';
import { dispatcherModule } from './app.module';
import { DispatcherConfig } from './dispatcher.config';

main(async () => {
  const config = loadConfig(DispatcherConfig);
  await runService({
    name: 'dispatcher',
    module: dispatcherModule(config),
    port: config.PORT,
    rawBody: true,
    consumer: {
      connection: kafkaConnectionOf(config, 'dispatcher'),
      groupId: `${config.KAFKA_GROUP_PREFIX}.dispatcher`,
      // A call mostly waits on its one Postgres round trip: a busy fetch is worked on six calls at once.
      callsConcurrently: 6,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    },
  });
});
