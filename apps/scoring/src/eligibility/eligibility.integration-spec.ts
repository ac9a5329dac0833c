import { type INestApplication } from '@nestjs/common';
import {
  type BusinessSendingSignalV1,
  type CampaignV1,
  type MessageStatusV1,
  type ProfileSnapshotV1,
  type TargetingDecisionV1,
  Topic,
} from '@wt/contracts';
import { createKafka, ensureTopics, KafkaPublisher } from '@wt/kafka';
import { eventually, groupAtTopicEnds, testBrokers, TopicProbe } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AudienceService } from '../audience/audience.service';
import { CampaignLauncher } from '../launch/campaign-launcher';
import { snapshotFixture } from '../testing/fixtures';
import { runScoringService, TestCampaigns, testScoringConfig } from '../testing/scoring-test-app';
import { EligibilityService } from './eligibility.service';

const run = randomUUID().slice(0, 8);
const personId = () => randomBytes(32).toString('hex');
const HOUR = 3_600_000;

/** The topics the scoring consumer reads. */
const CONSUMED = [
  Topic.CampaignsV1,
  Topic.ProfileSnapshotsV1,
  Topic.WhatsappMessageStatusV1,
  Topic.WhatsappInboundV1,
  Topic.EngagementNormalizedV1,
  Topic.BusinessSendingSignalsV1,
];

/**
 * Scoring learns who cannot be sent to from what the dispatcher publishes (131026 statuses, 131048
 * business signals) and decides no send for them: the whole service on the real broker and the
 * real Postgres, fed through Kafka as in production.
 */
describe('scoring: unreachable numbers and paused businesses, on the real Postgres and Kafka', () => {
  const brokers = testBrokers();
  const settings = testScoringConfig({
    KAFKA_GROUP_PREFIX: `it-${run}`,
    QUIET_START_HOUR: '0',
    QUIET_END_HOUR: '0',
    CAMPAIGN_CACHE_MS: '0',
    RELEVANCE_MODEL: `it-${run}`,
  });
  let app: INestApplication;
  let dataSource: DataSource;
  let publisher: KafkaPublisher;
  let decisions: TopicProbe<Topic.TargetingDecisionsV1>;
  const testCampaigns = new TestCampaigns(`el-${run}`, { budgetMessages: 10 });

  beforeAll(async () => {
    const kafka = createKafka({ brokers, clientId: 'scoring-eligibility-it' });
    await ensureTopics(kafka);
    await groupAtTopicEnds(`${settings.KAFKA_GROUP_PREFIX}.scoring`, CONSUMED, brokers);
    decisions = await TopicProbe.start(brokers, Topic.TargetingDecisionsV1);
    ({ app } = await runScoringService(settings, 'scoring-it'));
    dataSource = app.get(DataSource);
    publisher = app.get(KafkaPublisher);
  }, 120_000);

  afterAll(async () => {
    // Leave nothing running for the services that share this database in the e2e run.
    await testCampaigns.endAll(app);
    await decisions?.stop();
    await app?.close();
  });

  const campaign = (overrides: Partial<CampaignV1> = {}): Promise<CampaignV1> => testCampaigns.create(app, overrides);

  const person = (businesses: string[], overrides: Record<string, unknown> = {}): ProfileSnapshotV1 =>
    snapshotFixture({
      personId: personId(),
      version: 1,
      updatedAt: new Date().toISOString(),
      consents: { whatsappMarketing: businesses, crossAppProfiling: true },
      ...overrides,
    });

  const publishSnapshots = (snapshots: ProfileSnapshotV1[]) =>
    publisher.publish(
      Topic.ProfileSnapshotsV1,
      snapshots.map((s) => ({ key: s.personId, value: s })),
    );

  const status = (p: string, businessId: string, value: Partial<MessageStatusV1>): MessageStatusV1 => ({
    decisionId: `dec_${randomBytes(16).toString('hex')}`,
    businessId,
    personId: p,
    status: 'delivered',
    occurredAt: new Date().toISOString(),
    reportedBy: 'webhook',
    ...value,
  });
  const publishStatuses = (statuses: MessageStatusV1[]) =>
    publisher.publish(
      Topic.WhatsappMessageStatusV1,
      statuses.map((s) => ({ key: s.personId, value: s })),
    );
  const signal = (value: BusinessSendingSignalV1) => publisher.publish(Topic.BusinessSendingSignalsV1, [{ key: value.businessId, value }]);

  /** The next decision published for this (campaign, person) with this reason. */
  const decisionFor = (c: CampaignV1, p: string, reason: TargetingDecisionV1['reason']) =>
    decisions.waitFor((d) => d.campaignId === c.campaignId && d.personId === p && d.reason === reason).then((r) => r.value);

  async function spent(campaignId: string): Promise<number> {
    const rows: { spent: number }[] = await dataSource.query(`SELECT spent FROM campaign WHERE campaign_id = $1`, [campaignId]);
    return rows[0].spent;
  }
  async function unreachable(p: string): Promise<{ until: Date } | undefined> {
    const rows: { until: Date }[] = await dataSource.query(`SELECT until FROM unreachable_person WHERE person_id = $1`, [p]);
    return rows[0];
  }

  it('suppresses a person whose number failed with 131026 (and spends nothing on them) while another person still gets a send; a delivery clears it', async () => {
    const c = await campaign();
    const [lost, reachable] = [person([c.businessId]), person([c.businessId])];
    const failedAt = new Date();
    await publishStatuses([
      status(lost.personId, c.businessId, {
        status: 'failed',
        errorCode: 131026,
        errorTitle: 'Message undeliverable',
        occurredAt: failedAt.toISOString(),
      }),
    ]);
    const mark = await eventually('the 131026 failure to mark the person unreachable', () => unreachable(lost.personId));
    expect(mark.until.getTime()).toBe(failedAt.getTime() + settings.UNREACHABLE_FOR_MS);

    await publishSnapshots([lost, reachable]);
    const suppressed = await decisionFor(c, lost.personId, 'unreachable');
    expect(suppressed).toMatchObject({ outcome: 'suppress', reason: 'unreachable' });
    expect(suppressed.send).toBeUndefined();
    expect(suppressed.explanation.summary).toMatch(/unreachable \(error 131026\)/);
    expect(suppressed.explanation.factors.length).toBeGreaterThan(0);
    expect(await decisionFor(c, reachable.personId, 'relevant')).toMatchObject({ outcome: 'send' });
    expect(await spent(c.campaignId)).toBe(1);
    // No frequency-cap slot taken either: the person has no send in their history.
    const sends: { n: string }[] = await dataSource.query(`SELECT count(*) AS n FROM decision WHERE person_id = $1 AND outcome = 'send'`, [
      lost.personId,
    ]);
    expect(Number(sends[0].n)).toBe(0);

    // A later delivered status proves the number works again: the next evaluation sends.
    await publishStatuses([
      status(lost.personId, c.businessId, { status: 'delivered', occurredAt: new Date(failedAt.getTime() + 1000).toISOString() }),
    ]);
    await eventually('the delivery to clear the mark', async () => ((await unreachable(lost.personId)) ? undefined : true));
    await publishSnapshots([{ ...lost, version: 2 }]);
    expect(await decisionFor(c, lost.personId, 'relevant')).toMatchObject({ outcome: 'send', decisionId: suppressed.decisionId });
    expect(await spent(c.campaignId)).toBe(2);
  });

  it('keeps the later fact: an older delivery does not clear a failure, a replayed failure changes nothing, another error code marks nothing; an inbound message clears', async () => {
    const store = app.get(EligibilityService);
    const p = personId();
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const failure = { personId: p, status: 'failed' as const, errorCode: 131026, occurredAt: at(0) };
    expect(await store.recordReachability([failure], [], HOUR)).toEqual({ marked: 1, cleared: 0 });
    expect(await store.recordReachability([failure], [], HOUR)).toEqual({ marked: 0, cleared: 0 }); // replayed
    // A delivery of an older message does not clear; a failure of another kind marks nothing.
    expect(
      await store.recordReachability(
        [
          { personId: p, status: 'delivered', occurredAt: at(-1000) },
          { personId: p, status: 'failed', errorCode: 131047, occurredAt: at(5000) },
        ],
        [],
        HOUR,
      ),
    ).toEqual({ marked: 0, cleared: 0 });
    expect((await unreachable(p))?.until.getTime()).toBe(t0 + HOUR);
    // In one batch, a failure after a read stays: the read came before it.
    const q = personId();
    expect(
      await store.recordReachability(
        [
          { personId: q, status: 'read', occurredAt: at(0) },
          { personId: q, status: 'rejected', errorCode: 131026, occurredAt: at(1000) },
        ],
        [],
        HOUR,
      ),
    ).toEqual({ marked: 1, cleared: 0 });
    // An inbound message after the failure: reachable again.
    expect(
      await store.recordReachability(
        [],
        [
          { personId: p, receivedAt: at(2000) },
          { personId: q, receivedAt: at(2000) },
        ],
        HOUR,
      ),
    ).toEqual({ marked: 0, cleared: 2 });
    expect(await unreachable(p)).toBeUndefined();
  });

  it('reads a pause of every business (`*`), and a resume or a replayed older pause in the order they happened', async () => {
    const store = app.get(EligibilityService);
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const biz = `any-${run}`;
    const pausedNow = async () => await store.blocks(dataSource.manager, [], [biz], new Date(t0 + 10));
    await store.recordSignals([{ businessId: biz, signal: 'campaigns_paused', until: at(HOUR), occurredAt: at(0) }]);
    expect((await pausedNow()).paused.get(biz)?.getTime()).toBe(t0 + HOUR);
    await store.recordSignals([{ businessId: biz, signal: 'campaigns_resumed', occurredAt: at(5) }]);
    expect((await pausedNow()).paused.has(biz)).toBe(false);
    // The same pause delivered again (older than the resume) does not pause again.
    await store.recordSignals([{ businessId: biz, signal: 'campaigns_paused', until: at(HOUR), occurredAt: at(0) }]);
    expect((await pausedNow()).paused.has(biz)).toBe(false);
    // A platform-wide pause without an end applies to every business until resumed.
    await store.recordSignals([{ businessId: '*', signal: 'campaigns_paused', occurredAt: at(1) }]);
    try {
      expect((await pausedNow()).paused.get('*')).toBeNull();
    } finally {
      await store.recordSignals([{ businessId: '*', signal: 'campaigns_resumed', occurredAt: at(2) }]);
    }
    expect((await pausedNow()).paused.has('*')).toBe(false);
  });

  it("suppresses a paused business's campaign as business_paused until resumed, then sends, with the budget unchanged by the suppressed ones", async () => {
    const c = await campaign({ budgetMessages: 5 });
    const bystander = await campaign();
    const people = [person([c.businessId, bystander.businessId]), person([c.businessId])];
    await signal({
      businessId: c.businessId,
      phoneNumberId: c.phoneNumberId,
      signal: 'campaigns_paused',
      errorCode: 131048,
      reason: 'Spam rate limit hit',
      until: new Date(Date.now() + HOUR).toISOString(),
      occurredAt: new Date().toISOString(),
    });
    await eventually('the pause to be recorded', async () => {
      const rows: unknown[] = await dataSource.query(`SELECT 1 FROM business_pause WHERE business_id = $1`, [c.businessId]);
      return rows.length > 0 ? true : undefined;
    });

    await publishSnapshots(people);
    for (const p of people) {
      const d = await decisionFor(c, p.personId, 'business_paused');
      expect(d).toMatchObject({ outcome: 'suppress' });
      expect(d.explanation.summary).toContain(`Campaigns of ${c.businessId} are paused`);
      expect(d.explanation.summary).toContain('131048');
    }
    // Another business's campaign is not concerned.
    expect(await decisionFor(bystander, people[0].personId, 'relevant')).toMatchObject({ outcome: 'send' });
    expect(await spent(c.campaignId)).toBe(0);

    // Resumed: the people suppressed during the pause are evaluated again at once.
    await signal({
      businessId: c.businessId,
      phoneNumberId: c.phoneNumberId,
      signal: 'campaigns_resumed',
      occurredAt: new Date().toISOString(),
    });
    for (const p of people) expect(await decisionFor(c, p.personId, 'relevant')).toMatchObject({ outcome: 'send' });
    expect(await spent(c.campaignId)).toBe(2);
  });

  it("holds a paused business's launch until resumed, and a launch leaves unreachable people out of its budget", async () => {
    const c = await campaign({ budgetMessages: 2 });
    const store = app.get(EligibilityService);
    // The most interested person cannot be reached: without the check they would take a slot.
    const people = [1, 2, 3, 40].map((interest) => person([c.businessId], { interests: { 'running-shoes': interest } }));
    const lost = people[3];
    await store.recordReachability(
      [{ personId: lost.personId, status: 'failed', errorCode: 131026, occurredAt: new Date().toISOString() }],
      [],
      HOUR,
    );
    await app.get(AudienceService).upsert(people);
    await store.recordSignals([
      {
        businessId: c.businessId,
        signal: 'campaigns_paused',
        errorCode: 131048,
        until: new Date(Date.now() + HOUR).toISOString(),
        occurredAt: new Date().toISOString(),
      },
    ]);

    const launcher = app.get(CampaignLauncher);
    const launch = async () =>
      (
        (await dataSource.query(`SELECT phase, evaluated FROM campaign_launch WHERE campaign_id = $1`, [c.campaignId])) as {
          phase: string;
          evaluated: number;
        }[]
      )[0];
    await launcher.tick();
    expect(await launch()).toEqual({ phase: 'ranking', evaluated: 0 });

    await store.recordSignals([{ businessId: c.businessId, signal: 'campaigns_resumed', occurredAt: new Date().toISOString() }]);
    await launcher.tick();
    expect(await launch()).toMatchObject({ phase: 'done' });
    const decided: { person_id: string; outcome: string; reason: string }[] = await dataSource.query(
      `SELECT person_id, outcome, reason FROM decision WHERE campaign_id = $1`,
      [c.campaignId],
    );
    expect(decided.find((d) => d.person_id === lost.personId)).toMatchObject({ outcome: 'suppress', reason: 'unreachable' });
    expect(decided.filter((d) => d.outcome === 'send')).toHaveLength(2);
    expect(await spent(c.campaignId)).toBe(2);
  });
});
