import { type CampaignV1 } from '@wt/contracts';
import { issueIngestKey, testServiceUrl } from '@wt/testing';

/**
 * An active campaign for hiking fans, started a minute ago, that the end-to-end tests publish on
 * `campaigns.v1` as the business's back office would. Relevance is not what these tests are about:
 * the model's exploration (Thompson draws) makes a score near a threshold random, so every
 * eligible person is relevant here.
 */
export function e2eCampaign(fields: { campaignId: string; businessId: string; name: string; phoneNumberId: string }): CampaignV1 {
  return {
    ...fields,
    status: 'active',
    template: { name: 'weekly_offer', language: 'en_US', bodyParameters: [] },
    targetCategories: ['hiking'],
    minRelevance: 0,
    budgetMessages: 10,
    holdoutShare: 0,
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    updatedAt: new Date().toISOString(),
  };
}

/** The same campaign, ended now (what a test publishes when it is done, so scoring stops running it). */
export const ended = (campaign: CampaignV1): CampaignV1 => ({ ...campaign, status: 'ended', updatedAt: new Date().toISOString() });

/** Campaigns the running scoring service runs now (its `wt_campaigns_running` gauge). */
export async function campaignsRunning(): Promise<number> {
  const text = await (await fetch(`${testServiceUrl('scoring')}/metrics`)).text();
  return Number(/^wt_campaigns_running(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
}

/**
 * Ingest's HTTP doors as a business and a source use them, with keys issued by the operator's
 * command at first use: the business's for `/v1/consents`, the `facebook` source's for `/v1/engagement-events`.
 */
export class IngestDoors {
  private readonly keys = new Map<string, string>();

  constructor(private readonly businessId: string) {}

  /** Posts `body` to `path` and returns the response, keyed as that door wants. */
  async post(path: string, body: unknown): Promise<Response> {
    if (this.keys.size === 0) {
      this.keys.set('/v1/consents', issueIngestKey('issue', this.businessId));
      this.keys.set('/v1/engagement-events', issueIngestKey('issue-producer', 'facebook'));
    }
    return fetch(`${testServiceUrl('ingest')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.keys.get(path) ?? ''}` },
      body: JSON.stringify(body),
    });
  }
}
