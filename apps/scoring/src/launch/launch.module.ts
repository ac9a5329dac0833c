import { Module } from '@nestjs/common';
import { AudienceModule } from '../audience/audience.module';
import { CampaignModule } from '../campaign/campaign.module';
import { DecisionModule } from '../decision/decision.module';
import { EligibilityModule } from '../eligibility/eligibility.module';
import { OutcomeModule } from '../outcome/outcome.module';
import { RelevanceModule } from '../relevance/relevance.module';
import { ReportModule } from '../report/report.module';
import { BusinessSignals } from './business-signals';
import { BusinessSignalsConsumer } from './business-signals.consumer';
import { CampaignLauncher } from './campaign-launcher';
import { ProfileChanges } from './profile-changes';
import { ProfileSnapshotsConsumer } from './profile-snapshots.consumer';

/**
 * When people are evaluated: a campaign's launch and scheduled steps (CampaignLauncher), a changed
 * profile (ProfileChanges, the real-time trigger), a business's resume (BusinessSignals).
 */
@Module({
  imports: [AudienceModule, CampaignModule, DecisionModule, EligibilityModule, OutcomeModule, RelevanceModule, ReportModule],
  controllers: [ProfileSnapshotsConsumer, BusinessSignalsConsumer],
  providers: [CampaignLauncher, ProfileChanges, BusinessSignals],
})
export class LaunchModule {}
