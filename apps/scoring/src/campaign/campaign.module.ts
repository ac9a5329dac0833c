import { Module } from '@nestjs/common';
import { CampaignController } from './campaign.controller';
import { CampaignOutbox } from './campaign-outbox';
import { CampaignService } from './campaign.service';
import { CampaignStore } from './campaign.store';
import { CampaignsConsumer } from './campaigns.consumer';

/**
 * Campaigns: the businesses' API (through CampaignService, which opens each change's transaction)
 * and `campaigns.v1` from other teams. Exports the store's reads and budget grants to the deciding side.
 */
@Module({
  controllers: [CampaignController, CampaignsConsumer],
  providers: [CampaignStore, CampaignOutbox, CampaignService],
  exports: [CampaignStore],
})
export class CampaignModule {}
