import { type INestApplication } from '@nestjs/common';
import { ApiKeyStore } from '@wt/business-auth';
import { loadConfig } from '@wt/config';
import { runService } from '@wt/runtime';
import { fuzzRoutes, testBrokers, testDatabaseUrl } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { scoringModule } from '../app.module';
import { ScoringConfig } from '../scoring.config';
import { draftCampaignBody } from '../testing/scoring-test-app';

/** Every HTTP route of scoring, in-process on the real broker and Postgres, fuzzed with a valid API key. */
describe('scoring HTTP fuzzing', () => {
  const run = randomUUID().slice(0, 8);
  let app: INestApplication;
  let base: string;
  let apiKey: string;
  // A scratch database: the campaigns fuzzing creates must not reach the services of the e2e run.
  const admin = testDatabaseUrl('scoring');
  const scratch = new URL(admin);
  scratch.pathname = `/wt_it_scoring_fuzz_${run}`;
  const adminQuery = async (sql: string) => {
    const client = new Client({ connectionString: admin });
    await client.connect();
    await client.query(sql);
    await client.end();
  };

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE wt_it_scoring_fuzz_${run}`);
    const config = loadConfig(ScoringConfig, {
      LOG_LEVEL: 'silent',
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_GROUP_PREFIX: `it-fuzz-${run}`,
      DATABASE_URL: scratch.toString(),
      LAUNCH_POLL_MS: '3600000',
      RELEVANCE_MODEL: `it-fuzz-${run}`,
    });
    app = await runService({ name: 'scoring', module: scoringModule(config), port: 0, host: '127.0.0.1' });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    apiKey = (await app.get(ApiKeyStore).issue(`fuzz-${run}`)).apiKey;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await adminQuery(`DROP DATABASE IF EXISTS wt_it_scoring_fuzz_${run} WITH (FORCE)`);
  });

  const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });

  it('answers 400 with a reason to a campaign id holding NUL (it answered 500 from Postgres)', async () => {
    const response = await get('/v1/campaigns/a%00b');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ reason: 'nul_character' });
  });

  it.each([
    ['a name holding NUL', { name: 'a\u0000b' }, 'nul_character'],
    ['a budget of 1e20', { budgetMessages: 1e20 }, 'number_out_of_range'],
  ])('answers 400 with a reason to a campaign with %s (it reached Postgres and answered 500)', async (_what, change, reason) => {
    const response = await fetch(`${base}/v1/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...campaign(), ...change }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ reason });
  });

  const campaign = draftCampaignBody;

  it('answers every route with no 5xx and a JSON reason on every 4xx', async () => {
    const created = (await (
      await fetch(`${base}/v1/campaigns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(campaign()),
      })
    ).json()) as { campaignId: string };
    const { routes, tally } = await fuzzRoutes({
      baseUrl: base,
      params: { campaignId: created.campaignId, decisionId: randomUUID() },
      seeds: { 'POST /v1/campaigns': campaign(), 'PATCH /v1/campaigns/:campaignId': { name: 'Renamed', budgetMessages: 50 } },
      headers: () => ({ authorization: `Bearer ${apiKey}` }),
    });
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /v1/campaigns', 'PATCH /v1/campaigns/:campaignId']),
    );
    console.log(`scoring fuzz: ${routes.length} routes, ${tally.cases} cases, ${tally.findings.length} failures`);
    expect(tally.findings).toEqual([]);
  }, 600_000);
});
