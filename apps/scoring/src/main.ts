// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { apiKeyCommand } from '@wt/business-auth';
import { loadConfig } from '@wt/config';
import { operatorDataSource } from '@wt/database';
import { main, runProgram, runService, serviceConsumer, serviceProgram } from '@wt/runtime';
import { SCORING_ENTITIES, SCORING_MIGRATIONS, scoringModule } from './app.module';
import { ScoringConfig } from './scoring.config';

main(async () => {
  const program = serviceProgram('scoring', async () => {
    const config = loadConfig(ScoringConfig);
    await runService({
      name: 'scoring',
      module: scoringModule(config),
      port: config.PORT,
      consumer: serviceConsumer(config, 'scoring', { callsConcurrently: 6 }),
    });
  });
  program.addCommand(
    apiKeyCommand({
      businessKeyFor: 'the campaign API of that business',
      dataSource: () => operatorDataSource('scoring', { entities: SCORING_ENTITIES, migrations: SCORING_MIGRATIONS }),
    }),
  );
  process.exitCode = await runProgram(program);
});
