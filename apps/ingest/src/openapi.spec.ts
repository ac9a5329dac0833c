import { loadConfig } from '@wt/config';
import { openApiDocumentOf, openApiGaps } from '@wt/runtime';
import { offlineServiceEnv } from '@wt/testing';
import { ingestModule } from './app.module';
import { IngestConfig } from './ingest.config';

/** The OpenAPI document served at /docs, built in-process (nothing is connected): every route documented. */
describe('ingest OpenAPI', () => {
  it('documents the body, the success answer and the errors of both HTTP doors', async () => {
    const config = loadConfig(IngestConfig, offlineServiceEnv());
    const document = await openApiDocumentOf(ingestModule(config), 'ingest');
    expect(openApiGaps(document)).toEqual([]);
    const events = document.paths['/v1/engagement-events'].post;
    expect(Object.keys(events?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '413']));
    // Both doors need a key: documented with its failures (issue 15, point 6).
    for (const door of [events, document.paths['/v1/consents'].post]) {
      expect(Object.keys(door?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403', '429']));
      expect(door?.security).toEqual([{ bearer: [] }]);
    }
    expect(document.components?.schemas?.['EngagementEventsRequest']).toMatchObject({
      properties: { events: { items: { $ref: '#/components/schemas/EngagementEventV1' } } },
    });
    // Contract 1.3: the person is named by `phone`, `bsuid` or both, so neither is required on its own.
    const engagement = document.components?.schemas?.['EngagementEventV1'] as { required?: string[]; properties?: Record<string, unknown> };
    expect(engagement.required).toEqual(expect.arrayContaining(['eventId', 'source', 'type']));
    expect(engagement.required).not.toContain('phone');
    expect(Object.keys(engagement.properties ?? {})).toEqual(expect.arrayContaining(['phone', 'bsuid']));
    expect(document.components?.schemas?.['ConsentEventV1']).toMatchObject({
      properties: { purpose: { enum: ['whatsapp_marketing', 'cross_app_profiling'] } },
    });
  });
});
