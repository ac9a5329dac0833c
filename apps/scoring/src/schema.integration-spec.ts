import { schemaDrift } from '@wt/database';
import { testDatabaseUrl } from '@wt/testing';
import { SCORING_ENTITIES as entities, SCORING_MIGRATIONS as migrations } from './app.module';

it('scoring: the TypeORM entities are the schema the migrations make (a scratch database, column by column)', async () => {
  expect(await schemaDrift({ url: testDatabaseUrl('scoring'), entities, migrations })).toEqual([]);
});
