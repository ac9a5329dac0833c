import { Module } from '@nestjs/common';
import { AudienceModule } from '../audience/audience.module';
import { CampaignModule } from '../campaign/campaign.module';
import { DecisionModule } from '../decision/decision.module';
import { CampaignEstimator } from './campaign-estimator';
import { CampaignReportController } from './campaign-report.controller';
import { CampaignReportStore } from './campaign-report.store';
import { ReportRecords } from './report-records.service';
import { TemplatePauseStore } from './template-pause.store';

/**
 * Campaign reports and estimates; exports ReportRecords, what outcomes and signals record into them (billed messages, holdout conversions, template pauses); the stores stay inside report/.
 */
@Module({
  imports: [AudienceModule, CampaignModule, DecisionModule],
  controllers: [CampaignReportController],
  providers: [CampaignReportStore, TemplatePauseStore, CampaignEstimator, ReportRecords],
  exports: [ReportRecords],
})
export class ReportModule {}
