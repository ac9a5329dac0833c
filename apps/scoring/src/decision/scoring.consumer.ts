import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type CampaignV1, type ProfileSnapshotV1, Topic } from '@wt/contracts';
import { onlyRecords, type RecordBatch, traceHeaders } from '@wt/kafka';
import { DataSource } from 'typeorm';
import { AudienceStore } from '../audience/audience.store';
import { CampaignStore } from '../campaign/campaign.store';
import { EligibilityStore } from '../eligibility/eligibility.store';
import { TemplatePauseStore } from '../report/template-pause.store';
import { type ObservedOutcome, OutcomeLearner } from '../outcome/outcome.learner';
import { CampaignReportStore } from '../report/campaign-report.store';
import { ScoringConfig } from '../scoring.config';
import { isRunning } from './decision-policy';
import { DecisionEngine } from './decision.engine';
import { DecisionStore } from './decision.store';

const PURCHASE = Buffer.from('"purchase"');
const CLICK = Buffer.from('"click"');
const BUSINESS = Buffer.from('"businessId"');

/**
 * Scoring's inputs. Campaigns are kept in Postgres; every changed profile is kept as the audience
 * and evaluated at once against the running campaigns of the businesses it opted in to (the
 * real-time trigger); outcomes (statuses, replies, purchases, opt-outs) teach the model.
 * Statuses, inbound messages and the dispatcher's business signals also tell who cannot be sent
 * to now (131026 unreachable numbers, 131048 paused businesses).
 */
@Controller()
export class ScoringConsumer {
  private readonly logger = new Logger(ScoringConsumer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignStore,
    private readonly audience: AudienceStore,
    private readonly decisions: DecisionStore,
    private readonly engine: DecisionEngine,
    private readonly learner: OutcomeLearner,
    private readonly config: ScoringConfig,
    private readonly eligibility: EligibilityStore,
    private readonly reports: CampaignReportStore,
    private readonly templatePauses: TemplatePauseStore,
  ) {}

  /**
   * Campaign states from the API (ours, stored already: ignored as not newer) and from other
   * teams. A state that contradicts the stored one (another business's campaign id, a budget
   * below what is spent) is refused for good: dead-lettered as `state_conflict`, never retried,
   * and the records after it flow. Invalid ones never get here (dead-lettered by validation).
   */
  @EventPattern(Topic.CampaignsV1)
  async onCampaigns(@Payload() batch: RecordBatch<Topic.CampaignsV1>): Promise<void> {
    const refusals = await this.campaigns.apply(batch.records.map((r) => r.value));
    for (const { index, reason, detail } of refusals) {
      const record = batch.records[index];
      if (!record) continue;
      this.logger.warn(`campaigns.v1 ${record.partition}:${record.offset} refused (${reason}): ${detail}`);
      batch.reject(record, 'state_conflict', `${reason}: ${detail}`);
    }
  }

  @EventPattern(Topic.ProfileSnapshotsV1)
  async onSnapshots(@Payload() batch: RecordBatch<Topic.ProfileSnapshotsV1>): Promise<void> {
    const now = new Date();
    const latest = new Map<string, ProfileSnapshotV1>();
    const traces = new Map<string, Record<string, string>>();
    for (const { value, headers } of batch.records) {
      const known = latest.get(value.personId);
      if (!known || known.version <= value.version) {
        latest.set(value.personId, value);
        traces.set(value.personId, traceHeaders(headers));
      }
    }
    // A tombstone is an erased person: out of every audience, never evaluated again from it.
    const erased = batch.tombstones.map((t) => t.key);
    await this.audience.remove(erased);
    for (const personId of erased) latest.delete(personId);
    const snapshots = [...latest.values()];
    if (snapshots.length === 0) return;
    const optOuts = await this.audience.upsert(snapshots);
    const outcomes = await Promise.all(
      optOuts.map((o) => this.learner.attribute(o.personId, { businessId: o.businessId }, 'opted_out', now.toISOString())),
    );
    await this.learner.learn(outcomes.filter((o): o is ObservedOutcome => o !== undefined));

    const running = (await this.campaigns.running(now, this.config.CAMPAIGN_CACHE_MS)).filter((c) => isRunning(c, now));
    if (running.length === 0) return;
    await this.engine.evaluate(snapshots, running, now, { cutoffs: await this.cutoffs(running), traces, eventTriggered: true });
  }

  private async cutoffs(running: readonly CampaignV1[]): Promise<Map<string, number>> {
    const rows: { campaign_id: string; cutoff: number }[] = await this.dataSource.query(
      `SELECT campaign_id, cutoff FROM campaign_launch WHERE campaign_id = ANY($1::text[]) AND cutoff IS NOT NULL`,
      [running.map((c) => c.campaignId)],
    );
    return new Map(rows.map((c) => [c.campaign_id, c.cutoff]));
  }

  /**
   * Delivered and read statuses of our sends (the decision id travels with the message) teach the
   * model; a 131026 failure marks the person unreachable, a later delivered or read status clears it.
   */
  @EventPattern(Topic.WhatsappMessageStatusV1)
  async onStatuses(@Payload() batch: RecordBatch<Topic.WhatsappMessageStatusV1>): Promise<void> {
    await this.eligibility.recordReachability(
      batch.records.map((r) => r.value),
      [],
      this.config.UNREACHABLE_FOR_MS,
    );
    // What Meta billed (the pricing of a sent or delivered status), once per message.
    await this.reports.recordBilled(
      batch.records.flatMap(({ value }) =>
        value.pricing && value.campaignId ? [{ decisionId: value.decisionId, pricing: value.pricing, occurredAt: value.occurredAt }] : [],
      ),
    );
    const relevant = batch.records.map((r) => r.value).filter((s) => s.status === 'delivered' || s.status === 'read');
    const sends = await this.decisions.sendsByDecisionId([...new Set(relevant.map((s) => s.decisionId))]);
    const outcomes: ObservedOutcome[] = [];
    for (const status of relevant) {
      const send = sends.get(status.decisionId);
      if (send) outcomes.push({ send, kind: status.status === 'read' ? 'read' : 'delivered', occurredAt: status.occurredAt });
    }
    await this.learner.learn(outcomes);
  }

  /** A message (or a button press) to the number that sent a campaign: a reply. */
  @EventPattern(Topic.WhatsappInboundV1)
  async onInbound(@Payload() batch: RecordBatch<Topic.WhatsappInboundV1>): Promise<void> {
    // Someone who writes to a business is reachable on WhatsApp.
    await this.eligibility.recordReachability(
      [],
      batch.records.map((r) => r.value),
      this.config.UNREACHABLE_FOR_MS,
    );
    const outcomes = await Promise.all(
      batch.records.map(({ value }) =>
        this.learner.attribute(value.personId, { phoneNumberId: value.phoneNumberId }, 'replied', value.receivedAt),
      ),
    );
    // A tap on a template's quick-reply button is a click on that very message (the dispatcher resolved it).
    const taps = batch.records.map((r) => r.value).filter((m) => m.kind === 'button' && m.repliesTo);
    const tapped = await this.decisions.sendsByDecisionId([...new Set(taps.map((m) => m.repliesTo!.decisionId))]);
    const clicks: ObservedOutcome[] = taps.flatMap((m) => {
      const send = tapped.get(m.repliesTo!.decisionId);
      return send ? [{ send, kind: 'clicked' as const, occurredAt: m.receivedAt }] : [];
    });
    await this.learner.learn([...outcomes.filter((o): o is ObservedOutcome => o !== undefined), ...clicks]);
  }

  /**
   * A purchase (the conversion) or a click (a secondary signal) on a business's own pages within
   * the attribution window of its message. Only those matter here: a record without the words in
   * its bytes is skipped before it is even parsed (their JSON always holds `"purchase"`, or
   * `"click"` and `"businessId"`; what else holds them is filtered below).
   */
  @EventPattern(
    Topic.EngagementNormalizedV1,
    onlyRecords((value) => value.includes(PURCHASE) || (value.includes(CLICK) && value.includes(BUSINESS))),
  )
  async onEngagement(@Payload() batch: RecordBatch<Topic.EngagementNormalizedV1>): Promise<void> {
    const attributable = batch.records.map((r) => r.value).filter((e) => (e.type === 'purchase' || e.type === 'click') && e.businessId);
    const outcomes = await Promise.all(
      attributable.map((e) =>
        this.learner.attribute(e.personId, { businessId: e.businessId! }, e.type === 'purchase' ? 'purchased' : 'clicked', e.occurredAt),
      ),
    );
    await this.learner.learn(outcomes.filter((o): o is ObservedOutcome => o !== undefined));
    await this.learner.recordHoldoutPurchases(
      attributable.flatMap((e) =>
        e.type === 'purchase' && e.businessId ? [{ personId: e.personId, businessId: e.businessId, occurredAt: e.occurredAt }] : [],
      ),
    );
  }

  /**
   * The dispatcher paused a business's campaigns (131048) or resumed them: while paused, its
   * campaigns decide no send. On a resume, the people its running campaigns suppressed as
   * `business_paused` are evaluated again at once (in batches), not only at their next profile change.
   */
  @EventPattern(Topic.BusinessSendingSignalsV1)
  async onBusinessSignals(@Payload() batch: RecordBatch<Topic.BusinessSendingSignalsV1>): Promise<void> {
    const signals = batch.records.map((r) => r.value);
    await this.eligibility.recordSignals(signals);
    // Meta paused or approved again a template: the campaigns that use it report it (template-pause.store.ts).
    await this.templatePauses.record(signals);
    const resumed = new Set(signals.filter((s) => s.signal === 'campaigns_resumed').map((s) => s.businessId));
    if (resumed.size === 0) return;
    const now = new Date();
    const campaigns = (await this.campaigns.running(now, 0)).filter(
      (c) => isRunning(c, now) && (resumed.has('*') || resumed.has(c.businessId)),
    );
    if (campaigns.length === 0) return;
    const cutoffs = await this.cutoffs(campaigns);
    let after = '';
    let evaluated = 0;
    for (;;) {
      const rows: { person_id: string }[] = await this.dataSource.query(
        `SELECT DISTINCT person_id FROM decision WHERE campaign_id = ANY($1::text[]) AND reason = 'business_paused' AND person_id > $2 ORDER BY person_id LIMIT $3`,
        [campaigns.map((c) => c.campaignId), after, this.config.LAUNCH_BATCH_SIZE],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1].person_id;
      const snapshots = await this.audience.snapshots(rows.map((r) => r.person_id));
      await this.engine.evaluate(snapshots, campaigns, now, { cutoffs });
      evaluated += snapshots.length;
      if (rows.length < this.config.LAUNCH_BATCH_SIZE) break;
      // A large audience takes a while: stay in the group (a crash redelivers the signal, and the
      // people already decided are skipped: a send is final, an unchanged suppression not republished).
      await batch.heartbeat();
    }
    if (evaluated > 0)
      this.logger.log(`campaigns resumed for ${[...resumed].join(', ')}: ${evaluated} people suppressed during the pause evaluated again`);
  }
}
