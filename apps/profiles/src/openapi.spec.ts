import { loadConfig } from '@wt/config';
import { openApiDocumentOf, openApiGaps } from '@wt/runtime';
import { randomBytes } from 'node:crypto';
import { profilesModule } from './app.module';
import { ProfilesConfig } from './profiles.config';

/** The OpenAPI document served at /docs, built in-process (nothing is connected): every route documented. */
describe('profiles OpenAPI', () => {
  it('documents the path parameter, the success answer and the errors of the operations routes', async () => {
    const config = loadConfig(ProfilesConfig, {
      NODE_ENV: 'test',
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
      CONTACT_KEY: randomBytes(32).toString('base64'),
      OPERATIONS_TOKEN: randomBytes(24).toString('hex'),
      VAULT_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      VAULT_KEK: randomBytes(32).toString('base64'),
    });
    const document = await openApiDocumentOf(profilesModule(config), 'profiles');
    expect(openApiGaps(document)).toEqual([]);
    const erase = document.paths['/v1/profiles/{phone}'].delete;
    expect(erase?.parameters).toEqual([expect.objectContaining({ name: 'phone', in: 'path', required: true })]);
    expect(Object.keys(erase?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401']));
    expect(document.components?.schemas?.['PrivacyErasureV1']).toMatchObject({ properties: { personId: expect.any(Object) } });
  });
});
