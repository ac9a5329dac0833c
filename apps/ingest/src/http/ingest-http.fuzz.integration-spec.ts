import { type INestApplication } from '@nestjs/common';
import { ApiKeyStore } from '@wt/business-auth';
import { loadConfig } from '@wt/config';
import { createKafka, ensureTopics } from '@wt/kafka';
import { runService } from '@wt/runtime';
import { fuzzEveryRoute, localUrlOf, testBrokers, testDatabaseUrl, testVaultEnv } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { ingestModule } from '../app.module';
import { IngestConfig } from '../ingest.config';

/** Every HTTP route of ingest, in-process on the real broker, fuzzed (see libs/testing http-fuzz.ts). */
describe('ingest HTTP fuzzing', () => {
  const brokers = testBrokers();
  let app: INestApplication;
  let base: string;
  /** Valid keys, so that fuzzed bodies reach validation: a producer key of instagram, a business key of acme. */
  let auth: Record<string, string> = {};

  beforeAll(async () => {
    await ensureTopics(createKafka({ brokers, clientId: 'ingest-fuzz' }));
    const config = loadConfig(IngestConfig, {
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_GROUP_PREFIX: `it-fuzz-${randomUUID().slice(0, 8)}`,
      DATABASE_URL: testDatabaseUrl('ingest'),
      PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
      ...testVaultEnv(),
      LOG_LEVEL: 'silent',
    });
    app = await runService({ name: 'ingest', module: ingestModule(config), port: 0, host: '127.0.0.1', bodyLimit: config.HTTP_BODY_LIMIT });
    base = await localUrlOf(app);
    const keys = app.get(ApiKeyStore);
    auth = {
      'POST /v1/engagement-events': `Bearer ${(await keys.issueProducer('instagram', 'fuzz')).apiKey}`,
      'POST /v1/consents': `Bearer ${(await keys.issue('acme', 'fuzz', ['consent:write'])).apiKey}`,
    };
  }, 120_000);

  afterAll(() => app?.close());

  it('answers 400 with a reason to bodies nested 5,000 deep on both intake routes (they answered 500)', async () => {
    for (const route of ['/v1/engagement-events', '/v1/consents']) {
      const response = await fetch(`${base}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth[`POST ${route}`] ?? '' },
        body: `{"events":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ reason: 'too_deep' });
    }
  });

  it('answers every route with no 5xx and a JSON reason on every 4xx', async () => {
    const occurredAt = new Date().toISOString();
    const { tally } = await fuzzEveryRoute(
      'ingest',
      {
        baseUrl: base,
        headers: (r): Record<string, string> => {
          const key = auth[`${r.method} ${r.path}`];
          return key ? { authorization: key } : {};
        },
        seeds: {
          'POST /v1/engagement-events': {
            events: [
              {
                eventId: 'e-1',
                source: 'instagram',
                type: 'click',
                phone: '+33612345678',
                occurredAt,
                categories: ['shoes'],
                businessId: 'acme',
              },
            ],
          },
          'POST /v1/consents': {
            consents: [
              {
                phone: '+33612345678',
                purpose: 'whatsapp_marketing',
                businessId: 'acme',
                status: 'granted',
                occurredAt,
                source: 'web-form',
              },
            ],
          },
        },
      },
      ['POST /v1/engagement-events', 'POST /v1/consents'],
    );
    expect(tally.findings).toEqual([]);
  }, 600_000);
});
