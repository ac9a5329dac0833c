import { Injectable, Logger } from '@nestjs/common';
import { type BusinessSendingSignalV1 } from '@wt/contracts';
import { AudienceService } from '../audience/audience.service';
import { CampaignCatalog } from '../campaign/campaign-catalog.service';
import { isRunning } from '../decision/decision-policy';
import { DecisionEngine } from '../decision/decision.engine';
import { DecisionRecords } from '../decision/decision-records.service';
import { EligibilityService } from '../eligibility/eligibility.service';
import { ReportRecords } from '../report/report-records.service';
import { ScoringConfig } from '../scoring.config';
import { CampaignLauncher } from './campaign-launcher';

/**
 * The dispatcher paused a business's campaigns (131048) or resumed them: while paused, its
 * campaigns decide no send. On a resume, the people its running campaigns suppressed as
 * `business_paused` are evaluated again at once (in batches), not only at their next profile change.
 */
@Injectable()
export class BusinessSignals {
  private readonly logger = new Logger(BusinessSignals.name);

  constructor(
    private readonly eligibility: EligibilityService,
    private readonly reports: ReportRecords,
    private readonly campaigns: CampaignCatalog,
    private readonly decisions: DecisionRecords,
    private readonly audience: AudienceService,
    private readonly engine: DecisionEngine,
    private readonly launcher: CampaignLauncher,
    private readonly config: ScoringConfig,
  ) {}

  /** `heartbeat` keeps the caller in its consumer group while a large audience is evaluated. */
  async apply(signals: readonly BusinessSendingSignalV1[], heartbeat: () => Promise<void>): Promise<void> {
    await this.eligibility.recordSignals(signals);
    // Meta paused or approved again a template: the campaigns that use it report it (template-pause.store.ts).
    await this.reports.recordTemplatePauses(signals);
    const resumed = new Set(signals.filter((s) => s.signal === 'campaigns_resumed').map((s) => s.businessId));
    if (resumed.size === 0) return;
    const now = new Date();
    const campaigns = (await this.campaigns.running(now, 0)).filter(
      (c) => isRunning(c, now) && (resumed.has('*') || resumed.has(c.businessId)),
    );
    if (campaigns.length === 0) return;
    const cutoffs = await this.launcher.cutoffs(campaigns);
    const campaignIds = campaigns.map((c) => c.campaignId);
    let after = '';
    let evaluated = 0;
    for (;;) {
      const people = await this.decisions.pausedPeople(campaignIds, after, this.config.LAUNCH_BATCH_SIZE);
      if (people.length === 0) break;
      after = people[people.length - 1];
      const snapshots = await this.audience.snapshots(people);
      await this.engine.evaluate(snapshots, campaigns, now, { cutoffs });
      evaluated += snapshots.length;
      if (people.length < this.config.LAUNCH_BATCH_SIZE) break;
      // A large audience takes a while: stay in the group (a crash redelivers the signal, and the
      // people already decided are skipped: a send is final, an unchanged suppression not republished).
      await heartbeat();
    }
    if (evaluated > 0)
      this.logger.log(`campaigns resumed for ${[...resumed].join(', ')}: ${evaluated} people suppressed during the pause evaluated again`);
  }
}
