// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { loadConfig } from '@wt/config';
import { kafkaConnectionOf } from '@wt/kafka';
import { main, runService } from '@wt/runtime';
import { scoringModule } from './app.module';
import { apiKeyCommand } from './business/api-key.command';
import { evalCommand } from './eval/eval.command';
import { ScoringConfig } from './scoring.config';

main(async () => {
  if (process.argv[2] === 'api-key') {
    process.exitCode = await apiKeyCommand(process.argv.slice(3));
    return;
  }
  if (process.argv[2] === 'eval-targeting') {
    process.exitCode = evalCommand();
    return;
  }
  const config = loadConfig(ScoringConfig);
  await runService({
    name: 'scoring',
    module: scoringModule(config),
    port: config.PORT,
    consumer: {
      connection: kafkaConnectionOf(config, 'scoring'),
      groupId: `${config.KAFKA_GROUP_PREFIX}.scoring`,
      callsConcurrently: 6,
    },
  });
});
