import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type CampaignV1 } from '@wt/contracts';
import { counter, gauge } from '@wt/observability';
import { IntervalTask, returnedRows } from '@wt/database';
import { DataSource } from 'typeorm';
import { AudienceService } from '../audience/audience.service';
import { CampaignCatalog } from '../campaign/campaign-catalog.service';
import { inHoldout } from '../policy/contact-policy';
import { DecisionEngine } from '../decision/decision.engine';
import { isRunning } from '../decision/decision-policy';
import { type LogisticModel } from '../relevance/logistic-model';
import { fromRow, ModelService, type StoredModel, toRow } from '../relevance/model.service';
import { ScoringConfig } from '../scoring.config';

const launchPeople = counter({
  name: 'wt_launch_people_total',
  help: 'People of launched audiences processed, by phase (ranking, deciding)',
  labelNames: ['phase'],
});
const launchesGauge = gauge({ name: 'wt_launches', help: 'Campaign launches by phase, as last seen', labelNames: ['phase'] });
const launchProgress = gauge({
  name: 'wt_launch_evaluated',
  help: 'People evaluated so far by the launch of a campaign',
  labelNames: ['campaign_id', 'phase'],
});

interface LaunchRow {
  campaign_id: string;
  /** The model the launch ranks and decides with, fixed at its first batch. */
  model: StoredModel | null;
  phase: 'ranking' | 'deciding' | 'done';
  cursor: string | null;
  cutoff: number | null;
  scores: number[];
  evaluated: number;
  started_at: Date;
}

/**
 * Launch trigger: when a campaign starts running, its whole opted-in audience (from the
 * `audience_profile` table) is evaluated in batches. First it is ranked (scores only), so that
 * the budget goes to the best people of the whole audience, not to the first batches: the cutoff
 * is the score of the last person the remaining budget can reach. Then it is decided with that
 * cutoff. One batch per transaction; a launch row is claimed with SKIP LOCKED, so replicas share
 * launches and a restart resumes at the stored cursor (a replayed batch changes nothing). The
 * launch of a paused business (131048) waits for the end of the pause instead of deciding its
 * whole audience `business_paused`; people WhatsApp cannot reach (131026) are left out of the
 * ranking and decided `unreachable`, so the budget goes to people it can reach; so are the held-out,
 * the frequency-capped and people in quiet hours (those are scheduled for their local morning when
 * decided, and evaluated again then by `scheduledStep`, for the budget left).
 */
@Injectable()
export class CampaignLauncher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CampaignLauncher.name);
  private readonly steps = new IntervalTask('launch step', () => this.tick(), this.logger);
  /** Set at shutdown: a tick in progress stops between two batches. */
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignCatalog,
    private readonly audience: AudienceService,
    private readonly engine: DecisionEngine,
    private readonly models: ModelService,
    private readonly config: ScoringConfig,
  ) {}

  /** The cutoffs of the launches of `campaigns` that set one (a real-time or resumed evaluation keeps to them). */
  async cutoffs(campaigns: readonly CampaignV1[]): Promise<Map<string, number>> {
    const rows: { campaign_id: string; cutoff: number }[] = await this.dataSource.query(
      `SELECT campaign_id, cutoff FROM campaign_launch WHERE campaign_id = ANY($1::text[]) AND cutoff IS NOT NULL`,
      [campaigns.map((c) => c.campaignId)],
    );
    return new Map(rows.map((c) => [c.campaign_id, c.cutoff]));
  }

  onApplicationBootstrap(): void {
    this.steps.start(this.config.LAUNCH_POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.steps.stop();
  }

  /** Registers launches of newly running campaigns, then works batches until none is left. */
  async tick(now = new Date()): Promise<number> {
    const running = (await this.campaigns.running(now, 0)).filter((c) => isRunning(c, now));
    if (running.length > 0) {
      const registered = returnedRows<{ campaign_id: string }>(
        await this.dataSource.query(
          `INSERT INTO campaign_launch (campaign_id, phase) SELECT unnest($1::text[]), 'ranking' ON CONFLICT DO NOTHING RETURNING campaign_id`,
          [running.map((c) => c.campaignId)],
        ),
      );
      // A launch shows in the gauge from its start, not only once every batch is done.
      if (registered.length > 0) await this.countLaunches();
    }
    let batches = 0;
    while (!this.stopped && (await this.step(new Date()))) batches++;
    await this.countLaunches();
    while (!this.stopped && (await this.scheduledStep(new Date()))) batches++;
    return batches;
  }

  /**
   * One batch of people whose quiet hours are over (scheduled when a campaign found them asleep):
   * evaluated again now against their campaign, with its launch's cutoff and model, so they get
   * the places the budget still has, the best-scored (when scheduled) first. Claimed rows are deleted in the same transaction: a failure
   * leaves them for the next tick, and another replica skips them. False when none is due.
   */
  async scheduledStep(now: Date): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const due: { campaign_id: string; person_id: string }[] = returnedRows(
        await manager.query(
          `DELETE FROM scheduled_evaluation s USING (
             SELECT e.campaign_id, e.person_id FROM scheduled_evaluation e
             LEFT JOIN decision d ON d.campaign_id = e.campaign_id AND d.person_id = e.person_id
             WHERE e.due_at <= $1
             ORDER BY e.due_at, e.campaign_id, d.score DESC NULLS LAST, e.person_id LIMIT $2 FOR UPDATE OF e SKIP LOCKED
           ) d WHERE s.campaign_id = d.campaign_id AND s.person_id = d.person_id
           RETURNING s.campaign_id, s.person_id`,
          [now, this.config.LAUNCH_BATCH_SIZE],
        ),
      );
      if (due.length === 0) return false;
      const byCampaign = new Map<string, string[]>();
      for (const row of due) byCampaign.set(row.campaign_id, [...(byCampaign.get(row.campaign_id) ?? []), row.person_id.trim()]);
      const running = new Map(
        (await this.campaigns.running(now, 0))
          .filter((c) => isRunning(c, now) && byCampaign.has(c.campaignId))
          .map((c) => [c.campaignId, c]),
      );
      const launches: { campaign_id: string; cutoff: number | null; model: StoredModel | null }[] = await manager.query(
        `SELECT campaign_id, cutoff, model FROM campaign_launch WHERE campaign_id = ANY($1::text[])`,
        [[...running.keys()]],
      );
      for (const [campaignId, personIds] of byCampaign) {
        const campaign = running.get(campaignId);
        if (!campaign) continue; // paused or ended since: nothing to send
        const launch = launches.find((l) => l.campaign_id === campaignId);
        const snapshots = await this.audience.snapshots(personIds);
        await this.engine.evaluate(snapshots, [campaign], now, {
          cutoffs: new Map([[campaignId, launch?.cutoff ?? 0]]),
          model: launch?.model ? fromRow(launch.model) : undefined,
        });
      }
      this.logger.log(`${due.length} people scheduled after their quiet hours evaluated again`);
      return true;
    });
  }

  private async countLaunches(): Promise<void> {
    const phases: { phase: string; n: string }[] = await this.dataSource.query(
      `SELECT phase, count(*) AS n FROM campaign_launch GROUP BY phase`,
    );
    for (const phase of ['ranking', 'deciding', 'done'])
      launchesGauge.set({ phase }, Number(phases.find((p) => p.phase === phase)?.n ?? 0));
  }

  /** One batch of one unfinished launch; false when there is nothing to do. */
  async step(now: Date): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows: (LaunchRow & { body: CampaignV1; spent: number; budget_messages: number })[] = await manager.query(
        `SELECT l.campaign_id, l.phase, l.cursor, l.cutoff, l.scores, l.evaluated, l.model, l.started_at, c.body, c.spent, c.budget_messages
         FROM campaign_launch l JOIN campaign c ON c.campaign_id = l.campaign_id
         WHERE l.phase <> 'done'
           AND NOT EXISTS (
             SELECT 1 FROM business_pause b
             WHERE b.business_id IN (c.business_id, '*') AND (b.until IS NULL OR b.until > $1) AND (b.resumed_at IS NULL OR b.resumed_at < b.paused_at))
         ORDER BY l.started_at, l.campaign_id LIMIT 1 FOR UPDATE OF l SKIP LOCKED`,
        [now],
      );
      const launch = rows[0];
      if (!launch) return false;
      const campaign = launch.body;
      if (!isRunning(campaign, now)) {
        // Paused or ended mid-launch: stop here; a campaign that runs again is not relaunched.
        await manager.query(`UPDATE campaign_launch SET phase = 'done', finished_at = now() WHERE campaign_id = $1`, [launch.campaign_id]);
        return true;
      }
      // One model for the whole launch: its first sends' outcomes may teach the live model before
      // its last batch is decided, and the cutoff only means something for the model that ranked.
      let model: LogisticModel;
      if (launch.model) {
        model = fromRow(launch.model);
      } else {
        model = await this.models.current(0);
        await manager.query(`UPDATE campaign_launch SET model = $2 WHERE campaign_id = $1`, [
          launch.campaign_id,
          JSON.stringify(toRow(model)),
        ]);
      }
      const page = await this.audience.page(campaign.businessId, launch.cursor?.trim() ?? null, this.config.LAUNCH_BATCH_SIZE);
      const cursor = page.length > 0 ? page[page.length - 1].personId : launch.cursor;
      const last = page.length < this.config.LAUNCH_BATCH_SIZE;
      const evaluated = launch.evaluated + page.length;
      launchPeople.inc({ phase: launch.phase }, page.length);
      launchProgress.set({ campaign_id: campaign.campaignId, phase: launch.phase }, evaluated);

      if (launch.phase === 'ranking') {
        const budgetLeft = Math.max(0, launch.budget_messages - launch.spent);
        const scores = await this.engine.score(
          page.filter((s) => !inHoldout(campaign, s.personId)),
          campaign,
          now,
          model,
          launch.started_at,
        );
        const top = [...launch.scores, ...scores].sort((a, b) => b - a).slice(0, budgetLeft);
        if (last) {
          const cutoff = top.length >= budgetLeft && budgetLeft > 0 ? top[top.length - 1] : 0;
          await manager.query(
            `UPDATE campaign_launch SET phase = 'deciding', cursor = NULL, cutoff = $2, scores = '{}', evaluated = 0 WHERE campaign_id = $1`,
            [launch.campaign_id, cutoff],
          );
          this.logger.log(`campaign ${campaign.campaignId}: ranked ${evaluated} people, cutoff ${cutoff}`);
        } else {
          await manager.query(`UPDATE campaign_launch SET cursor = $2, scores = $3, evaluated = $4 WHERE campaign_id = $1`, [
            launch.campaign_id,
            cursor,
            top,
            evaluated,
          ]);
        }
        return true;
      }

      await this.engine.evaluate(page, [campaign], now, {
        cutoffs: new Map([[campaign.campaignId, launch.cutoff ?? 0]]),
        model,
        // The scores the cutoff was set from: features at the launch's start, not at each batch.
        scoredAt: launch.started_at,
      });
      await manager.query(
        `UPDATE campaign_launch SET cursor = $2, evaluated = $3, phase = $4, finished_at = CASE WHEN $4 = 'done' THEN now() END WHERE campaign_id = $1`,
        [launch.campaign_id, cursor, evaluated, last ? 'done' : 'deciding'],
      );
      if (last) this.logger.log(`campaign ${campaign.campaignId}: launch decided for ${evaluated} people`);
      return true;
    });
  }
}
