import { ValidationPipe } from '@nestjs/common';
import { MAX_CAMPAIGN_BUDGET_MESSAGES } from '@wt/contracts';
import { UpdateCampaignDto } from './campaign.dto';

/** The pipe the scoring app installs (app.module.ts), run on a PATCH body as Nest runs it. */
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
const patch = (body: unknown) => pipe.transform(body, { type: 'body', metatype: UpdateCampaignDto });

describe('UpdateCampaignDto (PartialType of CampaignV1)', () => {
  it('accepts any subset of the fields, the empty one included', async () => {
    await expect(patch({})).resolves.toBeInstanceOf(UpdateCampaignDto);
    await expect(patch({ budgetMessages: 10, status: 'active' })).resolves.toMatchObject({ budgetMessages: 10, status: 'active' });
  });

  it('keeps every limit of the contract on the fields it carries (this test sends invalid bodies on purpose)', async () => {
    await expect(patch({ budgetMessages: MAX_CAMPAIGN_BUDGET_MESSAGES + 1 })).rejects.toMatchObject({ status: 400 });
    await expect(patch({ status: 'paused-forever' })).rejects.toMatchObject({ status: 400 });
    await expect(patch({ categories: ['Not A Slug'] })).rejects.toMatchObject({ status: 400 });
  });

  it('refuses what the service sets, never taking it from the body', async () => {
    await expect(patch({ businessId: 'other' })).rejects.toMatchObject({ status: 400 });
    await expect(patch({ campaignId: 'other' })).rejects.toMatchObject({ status: 400 });
    await expect(patch({ updatedAt: '2026-01-01T00:00:00Z' })).rejects.toMatchObject({ status: 400 });
  });
});
