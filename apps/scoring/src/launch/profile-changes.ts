import { Injectable } from '@nestjs/common';
import { type ProfileSnapshotV1 } from '@wt/contracts';
import { AudienceService } from '../audience/audience.service';
import { CampaignCatalog } from '../campaign/campaign-catalog.service';
import { isRunning } from '../decision/decision-policy';
import { DecisionEngine } from '../decision/decision.engine';
import { OutcomeLearner } from '../outcome/outcome.learner';
import { ScoringConfig } from '../scoring.config';
import { CampaignLauncher } from './campaign-launcher';

/**
 * The real-time trigger: every changed profile is kept as the audience and evaluated at once
 * against the running campaigns of the businesses it opted in to; an opt-out it shows is an
 * outcome the model learns from; an erased person leaves every audience.
 */
@Injectable()
export class ProfileChanges {
  constructor(
    private readonly audience: AudienceService,
    private readonly campaigns: CampaignCatalog,
    private readonly engine: DecisionEngine,
    private readonly learner: OutcomeLearner,
    private readonly launcher: CampaignLauncher,
    private readonly config: ScoringConfig,
  ) {}

  /**
   * `changed`: the latest snapshot of each person in a batch (with the trace headers of its record);
   * `erased`: the people whose snapshot is a tombstone (never evaluated again from it).
   */
  async apply(
    changed: readonly ProfileSnapshotV1[],
    erased: readonly string[],
    traces: Map<string, Record<string, string>>,
  ): Promise<void> {
    const now = new Date();
    await this.audience.remove(erased);
    const gone = new Set(erased);
    const snapshots = changed.filter((s) => !gone.has(s.personId));
    if (snapshots.length === 0) return;
    const optOuts = await this.audience.upsert(snapshots);
    const outcomes = await this.learner.attributeAll(
      optOuts.map((o) => ({
        personId: o.personId,
        by: { businessId: o.businessId },
        kind: 'opted_out' as const,
        occurredAt: now.toISOString(),
      })),
    );
    await this.learner.learn(outcomes);

    const running = (await this.campaigns.running(now, this.config.CAMPAIGN_CACHE_MS)).filter((c) => isRunning(c, now));
    if (running.length === 0) return;
    await this.engine.evaluate(snapshots, running, now, { cutoffs: await this.launcher.cutoffs(running), traces, eventTriggered: true });
  }
}
