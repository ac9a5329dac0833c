import { loadConfig } from '@wt/config';
import { MAX_CAMPAIGN_BUDGET_MESSAGES } from '@wt/contracts';
import { openApiDocumentOf, openApiGaps } from '@wt/runtime';
import { scoringModule } from './app.module';
import { ScoringConfig } from './scoring.config';

/** The OpenAPI document served at /docs, built in-process (nothing is connected): every route documented. */
describe('scoring OpenAPI', () => {
  it('documents the body, the success answer and the errors of every route', async () => {
    const config = loadConfig(ScoringConfig, {
      NODE_ENV: 'test',
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    const document = await openApiDocumentOf(scoringModule(config), 'scoring');
    expect(openApiGaps(document)).toEqual([]);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/campaigns', '/v1/campaigns/{campaignId}', '/v1/decisions/{decisionId}', '/metrics']),
    );
    const create = document.paths['/v1/campaigns'].post;
    expect(Object.keys(create?.responses ?? {})).toEqual(expect.arrayContaining(['201', '400', '401', '409', '413', '422']));
    expect(document.components?.schemas?.['CreateCampaignDto']).toMatchObject({
      required: expect.arrayContaining(['name', 'template', 'budgetMessages']),
      // The contract's limits, from the contract class itself.
      properties: { budgetMessages: { maximum: MAX_CAMPAIGN_BUDGET_MESSAGES }, campaignId: { type: 'string' } },
    });
    const update = document.components?.schemas?.['UpdateCampaignDto'];
    expect(update).toMatchObject({ properties: { budgetMessages: { maximum: MAX_CAMPAIGN_BUDGET_MESSAGES }, status: {} } });
    expect(update).not.toHaveProperty('required');
  });
});
