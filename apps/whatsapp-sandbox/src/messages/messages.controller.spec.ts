import { type GraphErrorResponse, oldestAvailableGraphApiVersion, type SendMessageResponse } from '@wt/whatsapp';
import { nextRecipient, type RunningSandbox, startSandbox } from '../testing/sandbox-harness';

const template = (to: string, extra: Record<string, unknown> = {}) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to,
  type: 'template',
  template: {
    name: 'spring_sale',
    language: { code: 'en_US' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
  },
  ...extra,
});

const graphError = (body: unknown) => (body as GraphErrorResponse).error;

describe('POST /:version/:phoneNumberId/messages', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ SANDBOX_THROUGHPUT_MPS: '0', SANDBOX_PAIR_INTERVAL_MS: '0' });
  });

  afterAll(() => sandbox.close());

  it('accepts a template message and answers in the Cloud API shape', async () => {
    const to = nextRecipient();
    const { status, body } = await sandbox.request('POST', '/v25.0/1000001/messages', template(to));

    expect(status).toBe(200);
    const response = body as SendMessageResponse;
    expect(response).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to.slice(1), user_id: expect.stringMatching(/^DE\.\d{19}$/) as unknown }],
      messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9_-]{20,}$/) as unknown }],
    });
    const listed = await sandbox.request('GET', `/sandbox/messages?to=${encodeURIComponent(to)}&phoneNumberId=1000001`);
    expect(listed.body).toEqual([
      expect.objectContaining({
        wamid: response.messages[0]?.id,
        to,
        type: 'template',
        templateName: 'spring_sale',
      }),
    ]);
  });

  it('serves a call to a retired version (v20.0 ended 2026-09-24) with the oldest available one, as Meta does, and names it', async () => {
    const response = await fetch(`${sandbox.baseUrl}/v20.0/1000001/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(template(nextRecipient())),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('facebook-api-version')).toBe(oldestAvailableGraphApiVersion(new Date()));
    const current = await fetch(`${sandbox.baseUrl}/v25.0/1000001/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(template(nextRecipient())),
    });
    expect(current.headers.get('facebook-api-version')).toBe('v25.0');
  });

  it('refuses a version Meta never released (400, code 100)', async () => {
    const { status, body } = await sandbox.request('POST', '/v99.0/1000001/messages', template(nextRecipient()));
    expect(status).toBe(400);
    expect(graphError(body)).toMatchObject({ code: 100 });
  });

  it('answers 401 with Graph error 190 for a wrong or missing token', async () => {
    for (const authorization of ['Bearer not-the-token-at-all', '']) {
      const { status, body } = await sandbox.request('POST', '/v25.0/1000001/messages', template(nextRecipient()), {
        authorization,
      });
      expect(status).toBe(401);
      expect(graphError(body)).toMatchObject({
        code: 190,
        type: 'OAuthException',
        fbtrace_id: expect.any(String) as unknown,
      });
    }
  });

  it.each([
    ['messaging_product', { messaging_product: undefined }],
    ['to', { to: undefined }],
    ['to', { to: '12-34' }],
    ['to', { to: '+1234567' }],
    ['type', { type: 'image' }],
    ['template.name', { template: { language: { code: 'en' } } }],
    ['template.language.code', { template: { name: 'spring_sale', language: {} } }],
    ['template.language', { template: { name: 'spring_sale' } }],
    [
      'template.components[0].parameters[0].text',
      {
        template: {
          name: 'x',
          language: { code: 'en' },
          components: [{ type: 'body', parameters: [{ type: 'text' }] }],
        },
      },
    ],
    ['text', { type: 'text' }],
    ['text.body', { type: 'text', text: { body: '' } }],
  ])('answers 400 with Graph error 100 naming %s', async (field, change) => {
    const { status, body } = await sandbox.request('POST', '/v25.0/1000001/messages', template(nextRecipient(), change));

    expect(status).toBe(400);
    const error = graphError(body);
    expect(error.code).toBe(100);
    expect(error.message).toContain(` ${field} `);
    expect(error.error_data).toEqual({
      messaging_product: 'whatsapp',
      details: expect.stringContaining(field) as unknown,
    });
  });

  it('answers an unparseable body with Graph error 100 too', async () => {
    const { status, body } = await sandbox.request('POST', '/v25.0/1000001/messages', '{"messaging_product":');
    expect(status).toBe(400);
    expect(graphError(body).code).toBe(100);
  });

  it('rejects a malformed phone number id', async () => {
    const { status, body } = await sandbox.request('POST', '/v25.0/not-a-number/messages', template(nextRecipient()));
    expect(status).toBe(400);
    expect(graphError(body).code).toBe(100);
  });
});

describe('send limits', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ SANDBOX_THROUGHPUT_MPS: '5', SANDBOX_PAIR_INTERVAL_MS: '6000' });
  });

  afterAll(() => sandbox.close());

  it('answers 130429 beyond SANDBOX_THROUGHPUT_MPS messages per second for one phone number id', async () => {
    const send = (phoneNumberId: string) =>
      sandbox.client().sendTemplate(phoneNumberId, nextRecipient(), { name: 'x', language: { code: 'en' } });
    const results = await Promise.all(Array.from({ length: 7 }, () => send('2000001')));

    expect(results.filter((result) => result.kind === 'accepted')).toHaveLength(5);
    const rejected = results.filter((result) => result.kind === 'rejected');
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toMatchObject({ httpStatus: 400, code: 130429, category: 'retry' });
    // Another phone number id has its own budget.
    expect((await send('2000002')).kind).toBe('accepted');

    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await send('2000001')).kind).toBe('accepted');
  });

  it('answers 131056 to a second message to the same recipient within SANDBOX_PAIR_INTERVAL_MS', async () => {
    const to = nextRecipient();
    const client = sandbox.client();

    expect((await client.sendTemplate('3000001', to, { name: 'x', language: { code: 'en' } })).kind).toBe('accepted');
    expect(await client.sendTemplate('3000001', to, { name: 'x', language: { code: 'en' } })).toMatchObject({
      kind: 'rejected',
      httpStatus: 400,
      code: 131056,
      category: 'retry',
    });
    // Same person from another business number, or another person: fine.
    expect((await client.sendTemplate('3000002', to, { name: 'x', language: { code: 'en' } })).kind).toBe('accepted');
    expect(
      (
        await client.sendTemplate('3000001', nextRecipient(), {
          name: 'x',
          language: { code: 'en' },
        })
      ).kind,
    ).toBe('accepted');

    const stats = await sandbox.request('GET', '/sandbox/stats');
    expect(stats.body).toMatchObject({ rejected: { '131056': 1 } });
  });
});
