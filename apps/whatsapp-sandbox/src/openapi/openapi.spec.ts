import { type INestApplication } from '@nestjs/common';
import { openApiGaps } from '@wt/runtime';
import { randomBytes } from 'node:crypto';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type OpenAPIObject } from '@nestjs/swagger';
import { createSandboxApp } from '../sandbox-app';

/** The sandbox serves its OpenAPI at /docs like every service: Graph routes and test routes, all documented. */
describe('whatsapp-sandbox OpenAPI', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await createSandboxApp(
      { SANDBOX_ACCESS_TOKEN: randomBytes(16).toString('hex'), SANDBOX_APP_SECRET: randomBytes(16).toString('hex') },
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('serves Swagger UI at /docs and a complete document at /docs/json', async () => {
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const document = (await (await fetch(`${base}/docs/json`)).json()) as OpenAPIObject;
    expect(document.info.title).toBe('whatsapp-sandbox API');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/{version}/{phoneNumberId}/messages',
        '/{version}/{phoneNumberId}/message_templates',
        '/sandbox/faults',
        '/sandbox/inbound',
        '/sandbox/messages',
        '/sandbox/stats',
        '/sandbox/reset',
        '/sandbox/templates',
        '/sandbox/simulation',
        '/health/live',
        '/health/ready',
      ]),
    );
    expect(openApiGaps(document, { bodyless: ['POST /sandbox/reset'] })).toEqual([]);
  });

  it('documents the Graph routes with their body, Graph error shape and Meta codes', async () => {
    const document = (await (await fetch(`${base}/docs/json`)).json()) as OpenAPIObject;
    const send = document.paths['/{version}/{phoneNumberId}/messages'].post;
    expect(send?.parameters?.map((p) => ('name' in p ? p.name : ''))).toEqual(['version', 'phoneNumberId']);
    expect(Object.keys(send?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401', '404', '413', '429']));
    expect(JSON.stringify(send?.responses['400'])).toContain('fbtrace_id');
    expect(document.components?.schemas?.['SendMessageDto']).toMatchObject({
      properties: { messaging_product: { enum: ['whatsapp'] }, template: { $ref: '#/components/schemas/TemplateDto' } },
    });
    expect(document.components?.schemas?.['TemplateDto']).toMatchObject({
      properties: { language: { $ref: '#/components/schemas/TemplateLanguageDto' } },
    });
    expect(document.components?.schemas?.['FaultDto']).toMatchObject({
      properties: { mode: { enum: expect.arrayContaining(['reject', 'hang']) } },
    });
  });
});
