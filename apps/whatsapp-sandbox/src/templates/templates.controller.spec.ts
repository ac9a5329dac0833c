import type { GraphErrorResponse } from '@wt/whatsapp';
import { nextRecipient, type RunningSandbox, startSandbox } from '../testing/sandbox-harness';
import { countPlaceholders } from './template-registry';

const send = (name: string, language: string, bodyParameters: number) => ({
  messaging_product: 'whatsapp',
  to: nextRecipient(),
  type: 'template',
  template: {
    name,
    language: { code: language },
    components: bodyParameters
      ? [
          {
            type: 'body',
            parameters: Array.from({ length: bodyParameters }, (_, i) => ({
              type: 'text',
              text: `p${i}`,
            })),
          },
        ]
      : [],
  },
});

const errorCode = (body: unknown) => (body as GraphErrorResponse).error.code;

describe('template registry', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ SANDBOX_THROUGHPUT_MPS: '0', SANDBOX_PAIR_INTERVAL_MS: '0' });
    const created = await sandbox.request('POST', '/v25.0/2000001/message_templates', {
      name: 'autumn_offer',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Hi {{1}}, {{2}} off this week, {{1}}!' }],
      sandbox_categories: ['outdoor'],
    });
    expect(created).toEqual({
      status: 200,
      body: expect.objectContaining({ status: 'APPROVED', category: 'MARKETING' }) as unknown,
    });
  });

  afterAll(() => sandbox.close());

  it('accepts a registered template in its language with the right body parameter count', async () => {
    const { status } = await sandbox.request('POST', '/v25.0/2000001/messages', send('autumn_offer', 'en_US', 2));
    expect(status).toBe(200);
  });

  it.each([
    ['an unknown template', 'winter_offer', 'en_US', 2, 404, 132001],
    ['a registered template in another language', 'autumn_offer', 'fr', 2, 404, 132001],
    ['too few body parameters', 'autumn_offer', 'en_US', 1, 400, 132000],
    ['too many body parameters', 'autumn_offer', 'en_US', 3, 400, 132000],
  ])('rejects %s with Meta code', async (_case, name, language, count, httpStatus, code) => {
    const { status, body } = await sandbox.request('POST', '/v25.0/2000001/messages', send(name, language, count));
    expect(status).toBe(httpStatus);
    expect(errorCode(body)).toBe(code);
    const listed = await sandbox.request('GET', '/sandbox/messages?phoneNumberId=2000001');
    expect((listed.body as unknown[]).length).toBe(1);
  });

  it('lets a phone number without registered templates send any template', async () => {
    const { status } = await sandbox.request('POST', '/v25.0/2000002/messages', send('spring_collection', 'en', 1));
    expect(status).toBe(200);
  });

  it('refuses a template definition without a body as Graph error 100, and without a token as 190', async () => {
    const noBody = await sandbox.request('POST', '/v25.0/2000003/message_templates', {
      name: 'x',
      language: 'en',
      category: 'MARKETING',
      components: [],
    });
    expect(errorCode(noBody.body)).toBe(100);
    const noToken = await sandbox.request(
      'POST',
      '/v25.0/2000003/message_templates',
      {
        name: 'x',
        language: 'en',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'x' }],
      },
      { authorization: '' },
    );
    expect(errorCode(noToken.body)).toBe(190);
    const listed = await sandbox.request('GET', '/sandbox/templates?phoneNumberId=2000003');
    expect(listed.body).toEqual([]);
  });

  it('counts distinct placeholders, positional or named', () => {
    expect(countPlaceholders('Hi {{1}}, {{2}} off, {{1}}')).toBe(2);
    expect(countPlaceholders('Hi {{first_name}}')).toBe(1);
    expect(countPlaceholders('No parameters')).toBe(0);
  });
});
