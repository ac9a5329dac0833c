import { type INestApplication } from '@nestjs/common';
import { ApiKeyStore } from '@wt/business-auth';
import { loadConfig } from '@wt/config';
import { runService } from '@wt/runtime';
import { fuzzEveryRoute, inProcessServiceEnv, localUrlOf, testVaultEnv } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { assistantModule } from '../app.module';
import { AssistantConfig } from '../assistant.config';

/** Every HTTP route of the assistant, in-process on the real broker and Postgres, fuzzed with a valid API key. */
describe('assistant HTTP fuzzing', () => {
  const run = randomUUID().slice(0, 8);
  let app: INestApplication;
  let base: string;
  let apiKey: string;

  beforeAll(async () => {
    const config = loadConfig(
      AssistantConfig,
      inProcessServiceEnv('assistant', { CONTACT_KEY: randomBytes(32).toString('base64'), ...testVaultEnv() }),
    );
    app = await runService({ name: 'assistant', module: assistantModule(config), port: 0, host: '127.0.0.1' });
    base = await localUrlOf(app);
    apiKey = (await app.get(ApiKeyStore).issue(`fuzz-${run}`)).apiKey;
  }, 120_000);

  afterAll(() => app?.close());

  const entry = { language: 'en', question: 'What are your opening hours?', variants: ['When are you open?'], answer: 'From 9am to 7pm.' };

  it('answers 400 with a reason to a knowledge entry holding NUL (it answered 500 from Postgres)', async () => {
    const response = await fetch(`${base}/v1/knowledge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...entry, answer: 'From 9am\u0000' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ reason: 'nul_character', message: expect.stringContaining('$.answer') });
  });

  it('answers every route with no 5xx and a JSON reason on every 4xx', async () => {
    const { tally } = await fuzzEveryRoute(
      'assistant',
      {
        baseUrl: base,
        params: { id: `fuzz-${run}`, phoneNumberId: `9${Date.now()}`.slice(0, 15) },
        seeds: { 'POST /v1/knowledge': entry, 'PUT /v1/knowledge/:id': entry, 'POST /v1/knowledge/ask': { text: 'When are you open?' } },
        headers: () => ({ authorization: `Bearer ${apiKey}` }),
      },
      ['POST /v1/knowledge', 'PUT /v1/knowledge/:id'],
    );
    expect(tally.findings).toEqual([]);
  }, 600_000);
});
