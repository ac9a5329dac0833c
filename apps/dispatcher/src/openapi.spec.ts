import { loadConfig } from '@wt/config';
import { openApiDocumentOf, openApiGaps } from '@wt/runtime';
import { offlineServiceEnv } from '@wt/testing';
import { randomBytes } from 'node:crypto';
import { dispatcherModule } from './app.module';
import { DispatcherConfig } from './dispatcher.config';

/** The OpenAPI document served at /docs, built in-process (nothing is connected): every route documented. */
describe('dispatcher OpenAPI', () => {
  it("documents Meta's webhook: handshake query, signed body, answers", async () => {
    const config = loadConfig(
      DispatcherConfig,
      offlineServiceEnv({
        WHATSAPP_ACCESS_TOKEN: randomBytes(16).toString('hex'),
        WHATSAPP_APP_SECRET: randomBytes(16).toString('hex'),
        WHATSAPP_VERIFY_TOKEN: randomBytes(8).toString('hex'),
      }),
    );
    const document = await openApiDocumentOf(dispatcherModule(config), 'dispatcher');
    expect(openApiGaps(document)).toEqual([]);
    const webhook = document.paths['/v1/webhooks/whatsapp'];
    expect(webhook.get?.parameters?.map((p) => ('name' in p ? p.name : ''))).toEqual(
      expect.arrayContaining(['hub.mode', 'hub.verify_token', 'hub.challenge']),
    );
    expect(Object.keys(webhook.post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '413']));
    expect(webhook.post?.parameters).toEqual([expect.objectContaining({ name: 'x-hub-signature-256', in: 'header', required: true })]);
  });
});
