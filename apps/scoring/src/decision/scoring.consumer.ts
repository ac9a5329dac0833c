import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ProfileSnapshotV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { KafkaPublisher, type RecordBatch } from '@wt/kafka';
import { Counter, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { CampaignStore } from '../campaign/campaign.store';
import { ScoringConfig } from '../scoring.config';
import { concerns, decide, isRunning, overBudget } from './decision-policy';
import { DecisionStore } from './decision.store';

const decisionsTotal =
  (register.getSingleMetric('wt_decisions_total') as Counter | undefined) ??
  new Counter({ name: 'wt_decisions_total', help: 'Decisions published, by outcome and reason', labelNames: ['outcome', 'reason'] });

/**
 * Real-time trigger: every changed profile is evaluated against the running campaigns that
 * concern it. A decision is published when it is new or changed; a `send` is final.
 */
@Controller()
export class ScoringConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignStore,
    private readonly decisions: DecisionStore,
    private readonly publisher: KafkaPublisher,
    private readonly config: ScoringConfig,
  ) {}

  @EventPattern(Topic.CampaignsV1)
  async onCampaigns(@Payload() batch: RecordBatch<Topic.CampaignsV1>): Promise<void> {
    await this.campaigns.upsert(batch.records.map((r) => r.value));
  }

  @EventPattern(Topic.ProfileSnapshotsV1)
  async onSnapshots(@Payload() batch: RecordBatch<Topic.ProfileSnapshotsV1>): Promise<void> {
    const now = new Date();
    const latest = new Map<string, ProfileSnapshotV1>();
    for (const { value } of batch.records) {
      const known = latest.get(value.personId);
      if (!known || known.version <= value.version) latest.set(value.personId, value);
    }
    const running = (await this.campaigns.running(now, this.config.CAMPAIGN_CACHE_MS)).filter((c) => isRunning(c, now));
    const candidates: TargetingDecisionV1[] = [];
    for (const snapshot of latest.values()) {
      for (const campaign of running) {
        if (concerns(snapshot, campaign)) candidates.push(decide(snapshot, campaign, now, snapshot.activity.lastSeenAt));
      }
    }
    if (candidates.length === 0) return;

    const published = await this.dataSource.transaction(async (manager) => {
      const known = await this.decisions.lockKnown(manager, candidates);
      const changed = candidates.filter((d) => {
        const previous = known.get(`${d.campaignId}:${d.personId}`);
        return !previous || (previous.outcome !== 'send' && (previous.reason !== d.reason || d.outcome === 'send'));
      });
      // Budget: within each campaign the most relevant people get the remaining slots.
      const final: TargetingDecisionV1[] = changed.filter((d) => d.outcome !== 'send');
      const sendsByCampaign = new Map<string, TargetingDecisionV1[]>();
      for (const d of changed.filter((x) => x.outcome === 'send')) sendsByCampaign.set(d.campaignId, [...(sendsByCampaign.get(d.campaignId) ?? []), d]);
      for (const [campaignId, sends] of [...sendsByCampaign].sort(([a], [b]) => (a < b ? -1 : 1))) {
        sends.sort((a, b) => b.score - a.score);
        const granted = await this.campaigns.reserveBudget(manager, campaignId, sends.length);
        final.push(...sends.slice(0, granted), ...sends.slice(granted).map(overBudget));
      }
      const toPublish = final.filter((d) => {
        const previous = known.get(`${d.campaignId}:${d.personId}`);
        return !previous || previous.reason !== d.reason;
      });
      await this.decisions.save(manager, toPublish);
      await this.publisher.publish(
        Topic.TargetingDecisionsV1,
        toPublish.map((d) => ({ key: d.personId, value: d })),
      );
      return toPublish;
    });
    for (const d of published) decisionsTotal.inc({ outcome: d.outcome, reason: d.reason });
  }
}
