// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, instruments http, express and pg before they load.
import '@wt/observability/tracing';
import 'reflect-metadata';
import { apiKeyCommand } from '@wt/business-auth';
import { DatabaseEnv, loadConfig } from '@wt/config';
import { postgresOptions } from '@wt/database';
import { kafkaConnectionOf } from '@wt/kafka';
import { main, runProgram, runService, serviceProgram } from '@wt/runtime';
import { DataSource } from 'typeorm';
import { SCORING_ENTITIES, SCORING_MIGRATIONS, scoringModule } from './app.module';
import { ScoringConfig } from './scoring.config';

main(async () => {
  const program = serviceProgram('scoring', async () => {
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
  program.addCommand(
    apiKeyCommand({
      businessKeyFor: 'the campaign API of that business',
      dataSource: () =>
        new DataSource(
          postgresOptions({
            url: loadConfig(DatabaseEnv).DATABASE_URL,
            entities: SCORING_ENTITIES,
            migrations: SCORING_MIGRATIONS,
            runMigrations: false,
            applicationName: 'scoring-cli',
          }),
        ),
    }),
  );
  process.exitCode = await runProgram(program);
});
