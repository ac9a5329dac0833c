import { type INestApplication } from '@nestjs/common';
import { fuzzEveryRoute, localUrlOf } from '@wt/testing';
import { randomBytes } from 'node:crypto';
import { createSandboxApp } from '../sandbox-app';

/**
 * Every HTTP route of the WhatsApp sandbox (as main runs it), fuzzed with a valid access token.
 * An integration spec with the others, though it needs neither broker nor database: one command
 * (`npx jest -c jest.integration.config.js fuzz`) fuzzes every service.
 */
describe('whatsapp-sandbox HTTP fuzzing', () => {
  const accessToken = randomBytes(24).toString('hex');
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await createSandboxApp(
      { SANDBOX_ACCESS_TOKEN: accessToken, SANDBOX_APP_SECRET: randomBytes(24).toString('hex'), SANDBOX_STATUS_DELAY_MS: '60000' },
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    base = await localUrlOf(app);
  });

  afterAll(() => app?.close());

  it('answers every route with no 5xx and a JSON reason on every 4xx (Graph errors on Graph paths)', async () => {
    const { tally } = await fuzzEveryRoute(
      'whatsapp-sandbox',
      {
        baseUrl: base,
        params: { version: 'v25.0', phoneNumberId: '1000002' },
        seeds: {
          'POST /:version/:phoneNumberId/messages': {
            messaging_product: 'whatsapp',
            to: '+33612345678',
            type: 'text',
            text: { body: 'Hello' },
          },
          'POST /:version/:phoneNumberId/message_templates': {
            name: 'autumn_offer',
            language: 'en_US',
            category: 'MARKETING',
            components: [{ type: 'BODY', text: 'Autumn is here' }],
          },
          'POST /sandbox/inbound': { from: '+33612345678', phoneNumberId: '1000002', text: 'Hi' },
          'POST /sandbox/faults': { match: { to: '+33612345678' }, error: { code: 131026 } },
        },
        headers: () => ({ authorization: `Bearer ${accessToken}` }),
      },
      ['POST /:version/:phoneNumberId/messages'],
    );
    expect(tally.findings).toEqual([]);
  }, 600_000);
});
