import { Injectable } from '@nestjs/common';
import { type CampaignV1 } from '@wt/contracts';
import { type EntityManager } from 'typeorm';
import { CampaignStore, type Grant, type Remaining, type StoredCampaign } from './campaign.store';

export { type Grant, type Remaining, type StoredCampaign } from './campaign.store';

/**
 * campaign/'s public API for the folders above it: which campaigns run now, one business's campaign,
 * and the budget an evaluation hands out (`lockRemaining` then `spend`, in the caller's transaction).
 * The businesses' changes go through CampaignService; CampaignStore stays inside campaign/.
 */
@Injectable()
export class CampaignCatalog {
  constructor(private readonly campaigns: CampaignStore) {}

  /** Campaigns that are active and within their dates now (cached for `maxAgeMs`). */
  running(now: Date, maxAgeMs: number): Promise<CampaignV1[]> {
    return this.campaigns.running(now, maxAgeMs);
  }

  /** One campaign of this business with what it has spent, or undefined (unknown, or another business's). */
  findOwn(businessId: string, campaignId: string): Promise<StoredCampaign | undefined> {
    return this.campaigns.findOwn(businessId, campaignId);
  }

  /** Locks these campaigns' rows (in id order) and returns what each has left to spend (see CampaignStore.lockRemaining). */
  lockRemaining(manager: EntityManager, campaignIds: readonly string[]): Promise<Map<string, Remaining>> {
    return this.campaigns.lockRemaining(manager, campaignIds);
  }

  /** Adds the granted sends to the campaigns' spending; only after `lockRemaining` in the same transaction. */
  spend(manager: EntityManager, granted: ReadonlyMap<string, Grant>): Promise<void> {
    return this.campaigns.spend(manager, granted);
  }
}
