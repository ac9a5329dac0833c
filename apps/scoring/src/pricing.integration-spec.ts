import { type INestApplication, type INestMicroservice } from '@nestjs/common';
import { ApiKeyStore } from '@wt/business-auth';
import { type CampaignV1, type MessageStatusV1, type ProfileSnapshotV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { postgresOptions } from '@wt/database';
import { createKafka, KafkaPublisher } from '@wt/kafka';
import { RateBook, type RateCard, withVolumeTiers } from '@wt/pricing';
import { eventually, testBrokers } from '@wt/testing';
import { type Producer } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SCORING_ENTITIES, SCORING_MIGRATIONS } from './app.module';
import { AudienceService } from './audience/audience.service';
import { CampaignCatalog } from './campaign/campaign-catalog.service';
import { CampaignStore } from './campaign/campaign.store';
import { DecisionOutbox } from './decision/decision-outbox';
import { DecisionEngine } from './decision/decision.engine';
import { DecisionStore } from './decision/decision.store';
import { MessageStatusConsumer } from './outcome/outcome.consumers';
import { EligibilityService } from './eligibility/eligibility.service';
import { type CampaignReport } from './report/campaign-report';
import { type CampaignEstimate, CampaignEstimator } from './report/campaign-estimator';
import { ModelService } from './relevance/model.service';
import { snapshotFixture } from './testing/fixtures';
import { startScoringApp, startTopicConsumer, TestCampaigns, testScoringConfig } from './testing/scoring-test-app';

const run = randomUUID().slice(0, 8);

/**
 * Per-message pricing in scoring (issue 17, point 3) on the real Postgres and Kafka: every send is
 * priced at the rate card by the recipient's country and carries its estimated cost; a money budget
 * is never exceeded, even by two replicas deciding at once; billed cost comes from the statuses'
 * `pricing`; the report shows both; the estimate says what a launch would reach, send and cost.
 */
describe('scoring: rate card, money budgets, spend and estimates', () => {
  const settings = testScoringConfig({
    QUIET_START_HOUR: '0',
    QUIET_END_HOUR: '0',
    RELEVANCE_MODEL: `it-pricing-${run}`,
  });
  let app: INestApplication;
  let base: string;
  let dataSource: DataSource;
  let replica: { dataSource: DataSource; engine: DecisionEngine };
  let consumer: INestMicroservice;
  let producer: Producer;
  const testCampaigns = new TestCampaigns(`price-${run}`);

  beforeAll(async () => {
    ({ app, base, dataSource } = await startScoringApp(settings));
    // Another scoring replica: its own pool, the same database.
    const other = new DataSource(
      postgresOptions({
        url: settings.DATABASE_URL,
        entities: SCORING_ENTITIES,
        migrations: SCORING_MIGRATIONS,
        runMigrations: false,
        applicationName: 'scoring-it-pricing-replica',
      }),
    );
    await other.initialize();
    replica = {
      dataSource: other,
      engine: new DecisionEngine(
        other,
        new CampaignCatalog(new CampaignStore(other)),
        new DecisionStore(other),
        new ModelService(other, settings),
        new DecisionOutbox(other, app.get(KafkaPublisher)),
        settings,
        new EligibilityService(other),
        new RateBook(),
      ),
    };
    // Scoring's handler of statuses, in a consumer group of this run, behind the real validation of KafkaBatchServer.
    const scoring = app.get(MessageStatusConsumer);
    consumer = await startTopicConsumer(app, settings, `it-pricing-${run}`, Topic.WhatsappMessageStatusV1, (batch) => scoring.on(batch));
    producer = createKafka({ brokers: testBrokers(), clientId: `pricing-it-${run}` }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await testCampaigns.endAll(app);
    await producer?.disconnect();
    await consumer?.close();
    await replica?.dataSource.destroy();
    await app?.close();
  });

  const campaign = (overrides: Partial<CampaignV1> = {}): Promise<CampaignV1> => testCampaigns.create(app, overrides);

  const person = (businessId: string, country: string, overrides: Record<string, unknown> = {}): ProfileSnapshotV1 =>
    snapshotFixture({
      personId: randomBytes(32).toString('hex'),
      updatedAt: new Date().toISOString(),
      country,
      consents: { whatsappMarketing: [businessId], crossAppProfiling: true },
      ...overrides,
    });

  const sendsOf = async (campaignId: string): Promise<TargetingDecisionV1[]> =>
    (
      (await dataSource.query(`SELECT body FROM decision WHERE campaign_id = $1 AND outcome = 'send'`, [campaignId])) as {
        body: TargetingDecisionV1;
      }[]
    ).map((r) => r.body);

  const get = async <T>(path: string, key: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as T };
  };

  it('prices each send by the recipient country and never exceeds the money budget, two replicas deciding at once', async () => {
    // 0.50 USD at France's marketing rate (0.0859): five messages (0.4295), never a sixth (0.5154).
    const c = await campaign({ budgetMessages: 100, budgetMoney: { amount: 0.5, currency: 'USD' } });
    const people = Array.from({ length: 20 }, () => person(c.businessId, 'FR'));
    const now = new Date();
    await Promise.all([
      app.get(DecisionEngine).evaluate(people.slice(0, 10), [c], now),
      replica.engine.evaluate(people.slice(10), [c], now),
    ]);
    const sends = await sendsOf(c.campaignId);
    expect(sends).toHaveLength(5);
    for (const send of sends) {
      expect(send.estimatedCost).toEqual({
        micros: 85_900,
        currency: 'USD',
        category: 'marketing',
        market: 'france',
        rateCardVersion: 'meta-2025-07-01-usd',
      });
    }
    const [row] = (await dataSource.query(`SELECT spent, spent_micros FROM campaign WHERE campaign_id = $1`, [c.campaignId])) as {
      spent: number;
      spent_micros: string;
    }[];
    expect(row).toEqual({ spent: 5, spent_micros: '429500' });
    const withheld = (await dataSource.query(
      `SELECT explanation->>'summary' AS summary FROM decision WHERE campaign_id = $1 AND reason = 'budget_exhausted'`,
      [c.campaignId],
    )) as { summary: string }[];
    expect(withheld).toHaveLength(15);
    expect(withheld[0]?.summary).toMatch(/^Money budget of campaign .* is spent \(0\.0705 USD left, this message costs 0\.0859\)/);
  });

  it('prices by market: a German number costs the German rate, an unlisted country the "other" rate', async () => {
    const c = await campaign({ budgetMessages: 10 });
    const [de, aq] = [person(c.businessId, 'DE'), person(c.businessId, 'AQ')];
    await app.get(DecisionEngine).evaluate([de, aq], [c], new Date());
    const byPerson = new Map((await sendsOf(c.campaignId)).map((d) => [d.personId, d.estimatedCost]));
    expect(byPerson.get(de.personId)).toMatchObject({ micros: 136_500, market: 'germany' });
    expect(byPerson.get(aq.personId)).toMatchObject({ micros: 60_400, market: 'other' });
  });

  it('reports spend: estimated when granted, billed from the pricing of the statuses on Kafka (a redelivery counted once)', async () => {
    const c = await campaign({ budgetMessages: 10, budgetMoney: { amount: 1, currency: 'USD' } });
    const { apiKey } = await app.get(ApiKeyStore).issue(c.businessId);
    const people = Array.from({ length: 4 }, () => person(c.businessId, 'FR'));
    await app.get(DecisionEngine).evaluate(people, [c], new Date());
    const sends = await sendsOf(c.campaignId);
    expect(sends).toHaveLength(4);
    const status = (d: TargetingDecisionV1, billable: boolean, status: MessageStatusV1['status']): MessageStatusV1 => ({
      decisionId: d.decisionId,
      campaignId: c.campaignId,
      businessId: c.businessId,
      personId: d.personId,
      wamid: `wamid.${d.decisionId}`,
      status,
      occurredAt: new Date().toISOString(),
      reportedBy: 'webhook',
      pricing: {
        billable,
        pricingModel: 'PMP',
        category: 'marketing',
        type: billable ? 'regular' : 'free_entry_point',
        micros: billable ? 85_900 : 0,
        currency: 'USD',
        rateCardVersion: 'meta-2025-07-01-usd',
      },
    });
    // Three delivered (one of them free: a free entry point), each with `sent` and `delivered` both carrying pricing.
    const statuses = [
      status(sends[0]!, true, 'sent'),
      status(sends[0]!, true, 'delivered'),
      status(sends[1]!, true, 'sent'),
      status(sends[1]!, true, 'delivered'),
      status(sends[2]!, false, 'delivered'),
    ];
    await producer.send({
      topic: Topic.WhatsappMessageStatusV1,
      messages: statuses.map((s) => ({ key: s.personId, value: JSON.stringify(s) })),
    });
    const report = await eventually('the billed spend in the report', async () => {
      const { body } = await get<CampaignReport>(`/v1/campaigns/${c.campaignId}/report`, apiKey);
      return body.spend?.billedMessages === 3 ? body : undefined;
    });
    expect(report.spend).toEqual({ currency: 'USD', estimated: 0.3436, billed: 0.1718, billedMessages: 3, budget: 1, share: 0.3436 });
    expect(report.budget).toMatchObject({ messages: 10, spent: 4 });
  });

  it('estimates a campaign before its launch: reachable audience, expected sends within both budgets, expected cost', async () => {
    const c = await campaign({ status: 'draft', budgetMessages: 100, budgetMoney: { amount: 0.2, currency: 'USD' } });
    const { apiKey } = await app.get(ApiKeyStore).issue(c.businessId);
    const brazil = Array.from({ length: 6 }, () => person(c.businessId, 'BR'));
    await app.get(AudienceService).upsert([...brazil, person(c.businessId, 'BR', { contact: undefined }), person('someone-else', 'BR')]);
    // 0.20 USD at Brazil's 0.0625: three of the six reachable people.
    const money = await get<CampaignEstimate>(`/v1/campaigns/${c.campaignId}/estimate`, apiKey);
    expect(money.status).toBe(200);
    expect(money.body).toEqual({
      campaignId: c.campaignId,
      reachableAudience: 6,
      relevantAudience: 6,
      expectedSends: 3,
      expectedCost: { amount: 0.1875, currency: 'USD', rateCardVersion: 'meta-2025-07-01-usd' },
      limitedBy: 'money_budget',
    });
    // Nothing was decided or spent by estimating.
    expect(await sendsOf(c.campaignId)).toHaveLength(0);

    const messages = await campaign({ businessId: c.businessId, status: 'draft', budgetMessages: 2 });
    const capped = await get<CampaignEstimate>(`/v1/campaigns/${messages.campaignId}/estimate`, apiKey);
    expect(capped.body).toMatchObject({
      reachableAudience: 6,
      expectedSends: 2,
      expectedCost: { amount: 0.125 },
      limitedBy: 'message_budget',
    });
    expect((await get(`/v1/campaigns/${c.campaignId}/estimate`, (await app.get(ApiKeyStore).issue(`other-${run}`)).apiKey)).status).toBe(
      404,
    );
  });

  it('refuses a money budget in a currency the rate cards are not in, or below what was spent', async () => {
    const { apiKey } = await app.get(ApiKeyStore).issue(`api-${run}`);
    const call = (method: string, path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify(body),
      });
    const body = {
      name: 'Money',
      phoneNumberId: '1000009',
      template: { name: 'money', language: 'en_US', bodyParameters: [] },
      targetCategories: ['running-shoes'],
      budgetMessages: 10,
      startsAt: new Date().toISOString(),
    };
    const euro = await call('POST', '/v1/campaigns', { ...body, budgetMoney: { amount: 5, currency: 'EUR' } });
    expect(euro.status).toBe(422);
    expect(await euro.text()).toContain('the rate cards are in USD');
    const created = await call('POST', '/v1/campaigns', { ...body, status: 'active', budgetMoney: { amount: 0.3, currency: 'USD' } });
    expect(created.status).toBe(201);
    const c = (await created.json()) as CampaignV1;
    await app.get(DecisionEngine).evaluate([person(`api-${run}`, 'FR'), person(`api-${run}`, 'FR')], [c], new Date());
    const below = await call('PATCH', `/v1/campaigns/${c.campaignId}`, { budgetMoney: { amount: 0.1, currency: 'USD' } });
    expect(below.status).toBe(409);
    expect(await below.text()).toContain('below the 0.1718 USD already spent');
    const view = await get<CampaignV1 & { spentMoney: number }>(`/v1/campaigns/${c.campaignId}`, apiKey);
    expect(view.body).toMatchObject({ spent: 2, spentMoney: 0.1718 });
    await call('PATCH', `/v1/campaigns/${c.campaignId}`, { status: 'ended' });
  });

  it("estimates a utility send at the volume tier its portfolio's delivered messages reached, as the dispatcher counted them", async () => {
    // A configured card: France's utility rate falls from 0.03 to 0.012 from the 3rd delivered message of the month.
    const tiered = new RateBook([
      withVolumeTiers(new RateBook().cards[0] as RateCard, `it-tiers-${run}`, 'france', 'utility', [
        { from: 1, rate: 0.03 },
        { from: 3, rate: 0.012 },
      ]),
    ]);
    const engine = new DecisionEngine(
      dataSource,
      new CampaignCatalog(new CampaignStore(dataSource)),
      new DecisionStore(dataSource),
      new ModelService(dataSource, settings),
      new DecisionOutbox(dataSource, app.get(KafkaPublisher)),
      settings,
      new EligibilityService(dataSource),
      tiered,
    );
    const c = await campaign({ budgetMessages: 100 });
    const utility = {
      ...c,
      updatedAt: new Date(Date.parse(c.updatedAt) + 1).toISOString(),
      template: { ...c.template, category: 'utility' as const },
    };
    await app.get(CampaignStore).upsert([utility]);
    const estimateOfNext = async (): Promise<number | undefined> => {
      const p = person(c.businessId, 'FR');
      await engine.evaluate([p], [utility], new Date());
      return (await sendsOf(c.campaignId)).find((d) => d.personId === p.personId)?.estimatedCost?.micros;
    };
    // Scoring's own decided sends do not move the tier: only delivered messages do (Meta bills on delivery).
    expect(await estimateOfNext()).toBe(30_000);
    expect(await estimateOfNext()).toBe(30_000);
    expect(await estimateOfNext()).toBe(30_000);

    // The dispatcher's delivered statuses: the portfolio's 1st and 2nd utility messages to France this month.
    const delivered = (rank: number): MessageStatusV1 => ({
      decisionId: `elsewhere-${run}-${rank}`,
      businessId: c.businessId,
      personId: randomBytes(32).toString('hex'),
      wamid: `wamid.elsewhere-${run}-${rank}`,
      status: 'delivered',
      occurredAt: new Date().toISOString(),
      reportedBy: 'webhook',
      pricing: {
        billable: true,
        pricingModel: 'PMP',
        category: 'utility',
        type: 'regular',
        micros: 30_000,
        currency: 'USD',
        rateCardVersion: `it-tiers-${run}`,
        market: 'france',
        monthlyRank: rank,
      },
    });
    // Out of order and replayed: the count keeps the highest rank seen.
    await producer.send({
      topic: Topic.WhatsappMessageStatusV1,
      messages: [delivered(2), delivered(1), delivered(2)].map((st) => ({ key: st.personId, value: JSON.stringify(st) })),
    });
    await eventually('the delivered volume recorded', async () => {
      const rows: { delivered: string }[] = await dataSource.query(
        `SELECT delivered FROM portfolio_delivered_volume WHERE business_id = $1 AND category = 'utility' AND market = 'france'`,
        [c.businessId],
      );
      return rows[0]?.delivered === '2' ? true : undefined;
    });
    // The next message is the portfolio's 3rd: the lower tier, as the dispatcher will bill it.
    expect(await estimateOfNext()).toBe(12_000);
    // A launch's estimate starts from the same delivered volume: three more French people, ranks 3 to 5, all at the lower tier.
    const draft = await campaign({ businessId: c.businessId, status: 'draft', budgetMessages: 100 });
    // A later version of the stored campaign (an update with the same `updatedAt` is ignored).
    const draftUtility = {
      ...draft,
      updatedAt: new Date(Date.parse(draft.updatedAt) + 1).toISOString(),
      template: { ...draft.template, category: 'utility' as const },
    };
    await app.get(CampaignStore).upsert([draftUtility]);
    await app.get(AudienceService).upsert(Array.from({ length: 3 }, () => person(c.businessId, 'FR')));
    const estimator = new CampaignEstimator(
      new CampaignCatalog(new CampaignStore(dataSource)),
      new AudienceService(dataSource),
      engine,
      tiered,
      settings,
    );
    expect(await estimator.estimate(c.businessId, draft.campaignId)).toMatchObject({
      expectedSends: 3,
      expectedCost: { amount: 0.036, currency: 'USD' },
    });
    // Another market of the same portfolio keeps its own count: Germany's list rate.
    const german = person(c.businessId, 'DE');
    await engine.evaluate([german], [utility], new Date());
    const germanSend = (await sendsOf(c.campaignId)).find((d) => d.personId === german.personId);
    expect(germanSend?.estimatedCost).toMatchObject({
      market: 'germany',
      micros: tiered.price(new Date(), { category: 'utility', country: 'DE' }).micros,
    });
  });
});
