import { schemaDrift } from '@wt/database';
import { testDatabaseUrl } from '@wt/testing';
import { DISPATCHER_ENTITIES as entities, DISPATCHER_MIGRATIONS as migrations } from './app.module';

it('dispatcher: the TypeORM entities are the schema the migrations make (a scratch database, column by column)', async () => {
  expect(await schemaDrift({ url: testDatabaseUrl('dispatcher'), entities, migrations })).toEqual([]);
});
