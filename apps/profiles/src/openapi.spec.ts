import { loadConfig } from '@wt/config';
import { openApiDocumentOf, openApiGaps } from '@wt/runtime';
import { offlineServiceEnv } from '@wt/testing';
import { randomBytes } from 'node:crypto';
import { profilesModule } from './app.module';
import { ProfilesConfig } from './profiles.config';

/** The OpenAPI document served at /docs, built in-process (nothing is connected): every route documented. */
describe('profiles OpenAPI', () => {
  it('documents the path parameter, the success answer and the errors of the operations routes', async () => {
    const config = loadConfig(ProfilesConfig, offlineServiceEnv({ OPERATIONS_TOKEN: randomBytes(24).toString('hex') }));
    const document = await openApiDocumentOf(profilesModule(config), 'profiles');
    expect(openApiGaps(document)).toEqual([]);
    const erase = document.paths['/v1/profiles/{phone}'].delete;
    expect(erase?.parameters).toEqual([expect.objectContaining({ name: 'phone', in: 'path', required: true })]);
    expect(Object.keys(erase?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401']));
    expect(document.components?.schemas?.['PrivacyErasureV1']).toMatchObject({ properties: { personId: expect.any(Object) } });
  });
});
