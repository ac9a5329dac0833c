import { Module } from '@nestjs/common';
import { AudienceModule } from '../audience/audience.module';
import { CampaignModule } from '../campaign/campaign.module';
import { DecisionModule } from '../decision/decision.module';
import { CampaignEstimator } from './campaign-estimator';
import { CampaignReportController } from './campaign-report.controller';
import { CampaignReportStore } from './campaign-report.store';
import { TemplatePauseStore } from './template-pause.store';

/** Campaign reports and estimates; exports what outcomes and signals record into them (billed messages, holdout conversions, template pauses). */
@Module({
  imports: [AudienceModule, CampaignModule, DecisionModule],
  controllers: [CampaignReportController],
  providers: [CampaignReportStore, TemplatePauseStore, CampaignEstimator],
  exports: [CampaignReportStore, TemplatePauseStore],
})
export class ReportModule {}
