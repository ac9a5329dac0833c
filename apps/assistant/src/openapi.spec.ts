import { loadConfig } from '@wt/config';
import { openApiDocumentOf, openApiGaps } from '@wt/runtime';
import { offlineServiceEnv } from '@wt/testing';
import { assistantModule } from './app.module';
import { AssistantConfig } from './assistant.config';

/** The OpenAPI document served at /docs, built in-process (nothing is connected): every route documented. */
describe('assistant OpenAPI', () => {
  it('documents the body, the success answers and the errors of the knowledge and phone-number APIs', async () => {
    const config = loadConfig(AssistantConfig, offlineServiceEnv());
    const document = await openApiDocumentOf(assistantModule(config), 'assistant');
    // Registering a number is a PUT of the path alone; giving a conversation back to the bot, a POST of the path alone.
    expect(openApiGaps(document, { bodyless: ['PUT /v1/phone-numbers/{phoneNumberId}', 'POST /v1/handoffs/{personId}/release'] })).toEqual(
      [],
    );
    expect(Object.keys(document.paths['/v1/phone-numbers/{phoneNumberId}'].put?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '409']),
    );
    expect(document.components?.schemas?.['KnowledgeEntryDto']).toMatchObject({
      properties: { language: { enum: expect.arrayContaining(['fr', 'en']) } },
    });
    expect(document.paths['/v1/knowledge/{id}'].delete?.responses['204']).toEqual({ description: 'Deleted' });
  });
});
