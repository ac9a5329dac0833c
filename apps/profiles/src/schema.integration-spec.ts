import { schemaDrift } from '@wt/database';
import { testDatabaseUrl } from '@wt/testing';
import { PROFILES_ENTITIES as entities, PROFILES_MIGRATIONS as migrations } from './app.module';

it('profiles: the TypeORM entities are the schema the migrations make (a scratch database, column by column)', async () => {
  expect(await schemaDrift({ url: testDatabaseUrl('profiles'), entities, migrations })).toEqual([]);
});
