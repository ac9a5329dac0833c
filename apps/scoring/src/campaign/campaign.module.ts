import { Module } from '@nestjs/common';
import { CampaignController } from './campaign.controller';
import { CampaignCatalog } from './campaign-catalog.service';
import { CampaignOutbox } from './campaign-outbox';
import { CampaignService } from './campaign.service';
import { CampaignStore } from './campaign.store';
import { CampaignsConsumer } from './campaigns.consumer';

/**
 * Campaigns: the businesses' API (through CampaignService, which opens each change's transaction)
 * and `campaigns.v1` from other teams. Exports CampaignCatalog (running campaigns, one business's campaign,
 * budget grants) to the deciding side; CampaignStore stays inside campaign/.
 */
@Module({
  controllers: [CampaignController, CampaignsConsumer],
  providers: [CampaignStore, CampaignOutbox, CampaignService, CampaignCatalog],
  exports: [CampaignCatalog],
})
export class CampaignModule {}
