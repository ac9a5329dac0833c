import { type INestApplication } from '@nestjs/common';
import { loadConfig } from '@wt/config';
import { runService } from '@wt/runtime';
import { fuzzEveryRoute, inProcessServiceEnv, localUrlOf, testVaultEnv } from '@wt/testing';
import { randomBytes } from 'node:crypto';
import { profilesModule } from '../app.module';
import { ProfilesConfig } from '../profiles.config';

/** Every HTTP route of profiles, in-process on the real broker and Postgres, fuzzed with the operations token. */
describe('profiles HTTP fuzzing', () => {
  const token = randomBytes(24).toString('hex');
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const config = loadConfig(
      ProfilesConfig,
      inProcessServiceEnv('profiles', {
        PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
        OPERATIONS_TOKEN: token,
        RETENTION_PURGE_INTERVAL_SECONDS: String(7 * 86_400),
        ...testVaultEnv(),
      }),
    );
    app = await runService({ name: 'profiles', module: profilesModule(config), port: 0, host: '127.0.0.1' });
    base = await localUrlOf(app);
  }, 120_000);

  afterAll(() => app?.close());

  it('answers every route with no 5xx and a JSON reason on every 4xx', async () => {
    const { tally } = await fuzzEveryRoute(
      'profiles',
      { baseUrl: base, params: { phone: '+33612345678' }, headers: () => ({ authorization: `Bearer ${token}` }) },
      ['GET /v1/profiles/:phone', 'DELETE /v1/profiles/:phone'],
    );
    expect(tally.findings).toEqual([]);
  }, 600_000);
});
