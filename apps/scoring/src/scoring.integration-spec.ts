import { type INestApplication } from '@nestjs/common';
import { type CampaignV1, type ProfileSnapshotV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { postgresOptions } from '@wt/database';
import { KafkaPublisher, parseTraceContext } from '@wt/kafka';
import { eventually, testBrokers, TopicProbe } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { RateBook } from '@wt/pricing';
import { DataSource } from 'typeorm';
import { SCORING_ENTITIES, SCORING_MIGRATIONS } from './app.module';
import { AudienceService } from './audience/audience.service';
import { ApiKeyStore } from '@wt/business-auth';
import { CampaignCatalog } from './campaign/campaign-catalog.service';
import { CampaignStore } from './campaign/campaign.store';
import { DecisionOutbox } from './decision/decision-outbox';
import { DecisionEngine } from './decision/decision.engine';
import { DecisionStore } from './decision/decision.store';
import { EligibilityService } from './eligibility/eligibility.service';
import { CampaignLauncher } from './launch/campaign-launcher';
import { OutcomeLearner } from './outcome/outcome.learner';
import { holdoutBucket } from './policy/contact-policy';
import { EMPTY_HISTORY, extractFeatures } from './relevance/features';
import { ModelService } from './relevance/model.service';
import { ScoringConfig } from './scoring.config';
import { snapshotFixture } from './testing/fixtures';
import { draftCampaignBody, startScoringApp, TestCampaigns, testScoringConfig } from './testing/scoring-test-app';

const run = randomUUID().slice(0, 8);
const personId = () => randomBytes(32).toString('hex');

function config(overrides: Record<string, string> = {}): ScoringConfig {
  return testScoringConfig({
    QUIET_START_HOUR: '0',
    QUIET_END_HOUR: '0',
    LAUNCH_BATCH_SIZE: '7',
    RELEVANCE_MODEL: `it-${run}`, // learning here must not change the model the e2e services use
    ...overrides,
  });
}

/** Another scoring replica: its own connection pool, the same database. */
function replica(
  publisher: KafkaPublisher,
  settings: ScoringConfig,
): { dataSource: DataSource; engine: DecisionEngine; models: ModelService; launcher: CampaignLauncher } {
  const dataSource = new DataSource(
    postgresOptions({
      url: settings.DATABASE_URL,
      entities: SCORING_ENTITIES,
      migrations: SCORING_MIGRATIONS,
      runMigrations: false,
      applicationName: 'scoring-it-replica',
    }),
  );
  const models = new ModelService(dataSource, settings);
  const engine = new DecisionEngine(
    dataSource,
    new CampaignCatalog(new CampaignStore(dataSource)),
    new DecisionStore(dataSource),
    models,
    new DecisionOutbox(dataSource, publisher),
    settings,
    new EligibilityService(dataSource),
    new RateBook(),
  );
  const launcher = new CampaignLauncher(
    dataSource,
    new CampaignCatalog(new CampaignStore(dataSource)),
    new AudienceService(dataSource),
    engine,
    models,
    settings,
  );
  return { dataSource, engine, models, launcher };
}

describe('scoring on the real Postgres and Kafka', () => {
  let app: INestApplication;
  let base: string;
  let dataSource: DataSource;
  let other: ReturnType<typeof replica>;
  const settings = config();
  const testCampaigns = new TestCampaigns(`it-${run}`, {}, (n) => `biz-${run}-${n}`);

  beforeAll(async () => {
    ({ app, base, dataSource } = await startScoringApp(settings));
    other = replica(app.get(KafkaPublisher), settings);
    await other.dataSource.initialize();
  });

  afterAll(async () => {
    // Leave nothing running for the services that share this database in the e2e run.
    await testCampaigns.endAll(app);
    await other.dataSource.destroy();
    await app.close();
  });

  const campaign = (overrides: Partial<CampaignV1> = {}): Promise<CampaignV1> => testCampaigns.create(app, overrides);

  const person = (businesses: string[], overrides: Record<string, unknown> = {}): ProfileSnapshotV1 =>
    snapshotFixture({
      personId: personId(),
      updatedAt: new Date().toISOString(),
      consents: { whatsappMarketing: businesses, crossAppProfiling: true },
      ...overrides,
    });

  async function sendsOf(campaignId: string): Promise<number> {
    const rows: { n: string }[] = await dataSource.query(`SELECT count(*) AS n FROM decision WHERE campaign_id = $1 AND outcome = 'send'`, [
      campaignId,
    ]);
    return Number(rows[0].n);
  }

  describe('campaign API', () => {
    const call = (method: string, path: string, key: string | undefined, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const body = draftCampaignBody();

    it('lets a business create, read and change only its own campaigns, published on campaigns.v1', async () => {
      const keys = app.get(ApiKeyStore);
      const acme = await keys.issue(`acme-${run}`);
      const globex = await keys.issue(`globex-${run}`);
      const probe = await TopicProbe.start(testBrokers(), Topic.CampaignsV1);
      try {
        const traceId = randomBytes(16).toString('hex');
        const callerSpan = randomBytes(8).toString('hex');
        const res = await call('POST', '/v1/campaigns', acme.apiKey, body, { traceparent: `00-${traceId}-${callerSpan}-01` });
        expect(res.status).toBe(201);
        const requestSpan = parseTraceContext({ traceparent: res.headers.get('traceparent') ?? '' });
        expect(requestSpan?.traceId).toBe(traceId);
        expect(requestSpan?.spanId).not.toBe(callerSpan);
        const mine = (await res.json()) as CampaignV1 & { spent: number };
        testCampaigns.track(mine);
        expect(mine).toMatchObject({ businessId: `acme-${run}`, status: 'draft', spent: 0, holdoutShare: 0.1 });
        const published = await probe.waitFor((c) => c.campaignId === mine.campaignId);
        expect(published.key).toBe(mine.campaignId);
        // campaigns.v1 continues the caller's trace, in a span of its own.
        expect(parseTraceContext(published.headers)?.traceId).toBe(traceId);
        expect([callerSpan, requestSpan?.spanId]).not.toContain(parseTraceContext(published.headers)?.spanId);
        expect(published.value.businessId).toBe(`acme-${run}`);

        expect((await call('GET', `/v1/campaigns/${mine.campaignId}`, acme.apiKey)).status).toBe(200);
        expect(((await (await call('GET', '/v1/campaigns', acme.apiKey)).json()) as CampaignV1[]).map((c) => c.campaignId)).toContain(
          mine.campaignId,
        );
        expect(((await (await call('GET', '/v1/campaigns', globex.apiKey)).json()) as CampaignV1[]).map((c) => c.campaignId)).not.toContain(
          mine.campaignId,
        );
        expect((await call('GET', `/v1/campaigns/${mine.campaignId}`, globex.apiKey)).status).toBe(404);
        expect((await call('PATCH', `/v1/campaigns/${mine.campaignId}`, globex.apiKey, { status: 'active' })).status).toBe(404);

        const patched = await call('PATCH', `/v1/campaigns/${mine.campaignId}`, acme.apiKey, { status: 'active', budgetMessages: 50 });
        expect(patched.status).toBe(200);
        expect(await patched.json()).toMatchObject({ status: 'active', budgetMessages: 50, name: 'Autumn trail' });
        const republished = await probe.waitFor((c) => c.campaignId === mine.campaignId && c.status === 'active');
        expect(Date.parse(republished.value.updatedAt)).toBeGreaterThan(Date.parse(published.value.updatedAt));
        testCampaigns.track(republished.value);
      } finally {
        await probe.stop();
      }
    });

    it('refuses a wrong, malformed, revoked or missing key with 401', async () => {
      const keys = app.get(ApiKeyStore);
      const issued = await keys.issue(`revoked-${run}`);
      expect((await call('GET', '/v1/campaigns', issued.apiKey)).status).toBe(200);
      const tampered = issued.apiKey.slice(0, -1) + (issued.apiKey.endsWith('A') ? 'B' : 'A');
      expect((await call('GET', '/v1/campaigns', tampered)).status).toBe(401);
      expect((await call('GET', '/v1/campaigns', 'not-a-key')).status).toBe(401);
      expect((await call('GET', '/v1/campaigns', undefined)).status).toBe(401);
      expect(await keys.revoke(issued.keyId)).toBe(true);
      expect((await call('GET', '/v1/campaigns', issued.apiKey)).status).toBe(401);
    });

    it('rejects an invalid campaign with the fields at fault, and publishes nothing', async () => {
      const { apiKey } = await app.get(ApiKeyStore).issue(`invalid-${run}`);
      const res = await call('POST', '/v1/campaigns', apiKey, {
        ...body,
        budgetMessages: 0,
        targetCategories: ['Not A Slug'],
        businessId: 'someone-else',
      });
      expect(res.status).toBe(400);
      const text = JSON.stringify(await res.json());
      expect(text).toMatch(/budgetMessages/);
      expect(text).toMatch(/targetCategories/);
      expect(text).toMatch(/businessId should not exist/);
      expect(await (await call('GET', '/v1/campaigns', apiKey)).json()).toEqual([]);
    });

    it("returns a business's own decision with its explanation, and 404 to another business", async () => {
      const keys = app.get(ApiKeyStore);
      const c = await campaign();
      const owner = await keys.issue(c.businessId);
      const stranger = await keys.issue(`stranger-${run}`);
      const [decision] = await app.get(DecisionEngine).evaluate([person([c.businessId])], [c], new Date());
      const res = await call('GET', `/v1/decisions/${decision.decisionId}`, owner.apiKey);
      expect(res.status).toBe(200);
      const read = (await res.json()) as TargetingDecisionV1;
      expect(read).toMatchObject({ decisionId: decision.decisionId, outcome: 'send', modelVersion: decision.modelVersion });
      expect(read.explanation.factors).toContainEqual(expect.objectContaining({ name: 'interest.running_shoes', kind: 'cross_app' }));
      expect(read.explanation.consentBasis).toContain(`whatsapp_marketing:${c.businessId}`);
      expect(read.send?.contact).toBeUndefined();
      expect((await call('GET', `/v1/decisions/${decision.decisionId}`, stranger.apiKey)).status).toBe(404);
    });
  });

  describe('policy under concurrency', () => {
    it('never exceeds a budget when two replicas decide for overlapping people at once', async () => {
      const c = await campaign({ budgetMessages: 5 });
      const people = Array.from({ length: 40 }, () => person([c.businessId]));
      const now = new Date();
      const engine = app.get(DecisionEngine);
      await Promise.all([
        engine.evaluate(people.slice(0, 25), [c], now),
        other.engine.evaluate(people.slice(15), [c], now),
        engine.evaluate(people.slice(10, 30).reverse(), [c], now),
      ]);
      expect(await sendsOf(c.campaignId)).toBe(5);
      const rows: { spent: number }[] = await dataSource.query(`SELECT spent FROM campaign WHERE campaign_id = $1`, [c.campaignId]);
      expect(rows[0].spent).toBe(5);
    });

    it('holds the cross-business cap for one person when campaigns are decided at once, and gives the slot to the highest value', async () => {
      const campaigns = await Promise.all([0, 1, 2, 3].map(() => campaign()));
      const p = person(campaigns.map((c) => c.businessId));
      const now = new Date();
      await Promise.all(campaigns.map((c, i) => (i % 2 ? other.engine : app.get(DecisionEngine)).evaluate([p], [c], now)));
      const sent: { n: string }[] = await dataSource.query(`SELECT count(*) AS n FROM decision WHERE person_id = $1 AND outcome = 'send'`, [
        p.personId,
      ]);
      expect(Number(sent[0].n)).toBe(settings.CROSS_BUSINESS_DAILY_CAP);

      // Together in one evaluation, the slot goes to the campaign the person is most likely to welcome.
      const strict = replica(app.get(KafkaPublisher), config({ CROSS_BUSINESS_DAILY_CAP: '1' }));
      await strict.dataSource.initialize();
      try {
        const shoes = await campaign({ targetCategories: ['running-shoes'] });
        const cooking = await campaign({ targetCategories: ['cooking'] });
        const q = person([shoes.businessId, cooking.businessId], { interests: { 'running-shoes': 1, cooking: 30 } });
        const decisions = await strict.engine.evaluate([q], [shoes, cooking], new Date());
        expect(decisions.find((d) => d.campaignId === cooking.campaignId)).toMatchObject({ outcome: 'send' });
        expect(decisions.find((d) => d.campaignId === shoes.campaignId)).toMatchObject({ outcome: 'suppress', reason: 'outcompeted' });
      } finally {
        await strict.dataSource.destroy();
      }
    });

    it("suppresses during quiet hours in the person's time zone and sends once they are over", async () => {
      const quiet = replica(app.get(KafkaPublisher), config({ QUIET_START_HOUR: '21', QUIET_END_HOUR: '8' }));
      await quiet.dataSource.initialize();
      try {
        const c = await campaign();
        const p = person([c.businessId], { timeZone: 'Asia/Tokyo' });
        const [night] = await quiet.engine.evaluate([p], [c], new Date('2026-11-28T14:30:00Z')); // 23:30 in Tokyo
        expect(night).toMatchObject({ outcome: 'suppress', reason: 'quiet_hours' });
        const [morning] = await quiet.engine.evaluate([p], [c], new Date('2026-11-29T00:30:00Z')); // 09:30 in Tokyo
        expect(morning).toMatchObject({ outcome: 'send', reason: 'relevant', decisionId: night.decisionId });
      } finally {
        await quiet.dataSource.destroy();
      }
    });

    it('holds out a deterministic, recorded share that never gets a message', async () => {
      const c = await campaign({ holdoutShare: 0.3, budgetMessages: 100 });
      const people = Array.from({ length: 40 }, () => person([c.businessId]));
      await app.get(DecisionEngine).evaluate(people, [c], new Date());
      const rows: { person_id: string; holdout: boolean; outcome: string }[] = await dataSource.query(
        `SELECT person_id, holdout, outcome FROM decision WHERE campaign_id = $1`,
        [c.campaignId],
      );
      expect(rows).toHaveLength(40);
      for (const row of rows) {
        expect(row.holdout).toBe(holdoutBucket(c.campaignId, row.person_id) < 0.3);
        expect(row.outcome).toBe(row.holdout ? 'suppress' : 'send');
      }
      // Evaluated again, a held-out person stays held out.
      const held = people.filter((p) => holdoutBucket(c.campaignId, p.personId) < 0.3);
      expect(held.length).toBeGreaterThan(0);
      expect(await other.engine.evaluate(held, [c], new Date())).toEqual([]);
    });

    it('stops sending once consent is revoked', async () => {
      const c = await campaign({ minRelevance: 0.5 });
      const p = person([c.businessId], { interests: {} });
      const [first] = await app.get(DecisionEngine).evaluate([p], [c], new Date());
      expect(first).toMatchObject({ outcome: 'suppress', reason: 'not_relevant' });
      // Interested now, but consent withdrawn: not even evaluated for that business.
      const revoked = {
        ...p,
        version: p.version + 1,
        interests: { 'running-shoes': 20 },
        consents: { whatsappMarketing: [], crossAppProfiling: true },
      };
      expect(await app.get(DecisionEngine).evaluate([revoked], [c], new Date())).toEqual([]);
      expect(await sendsOf(c.campaignId)).toBe(0);
    });
  });

  describe('launch trigger', () => {
    it('evaluates the whole opted-in audience in batches and spends the budget on the best of it', async () => {
      const c = await campaign({ budgetMessages: 5 });
      const audience = app.get(AudienceService);
      const people = Array.from({ length: 30 }, (_, i) => person([c.businessId], { interests: { 'running-shoes': 1 + i } }));
      const strangers = Array.from({ length: 5 }, () => person([`nobody-${run}`], { interests: { 'running-shoes': 99 } }));
      await audience.upsert([...people, ...strangers]);
      const launcher = app.get(CampaignLauncher);
      await launcher.tick();
      const launches: { phase: string; evaluated: number }[] = await dataSource.query(
        `SELECT phase, evaluated FROM campaign_launch WHERE campaign_id = $1`,
        [c.campaignId],
      );
      expect(launches[0]).toEqual({ phase: 'done', evaluated: 30 });
      const decided: { person_id: string; outcome: string; score: number }[] = await dataSource.query(
        `SELECT person_id, outcome, score FROM decision WHERE campaign_id = $1`,
        [c.campaignId],
      );
      // The best of the whole audience by the scores decided with (a Thompson draw per person, the same for ranking and deciding).
      const best = [...decided]
        .sort((a, b) => b.score - a.score)
        .slice(0, 5)
        .map((r) => r.person_id)
        .sort();
      expect(
        decided
          .filter((r) => r.outcome === 'send')
          .map((r) => r.person_id)
          .sort(),
      ).toEqual(best);
      expect(decided).toHaveLength(30);
    });

    it('ranks and decides a launch with one model, even when outcomes teach the live model in between', async () => {
      const c = await campaign({ budgetMessages: 5 });
      await app
        .get(AudienceService)
        .upsert(Array.from({ length: 30 }, (_, i) => person([c.businessId], { interests: { 'running-shoes': 1 + i, cooking: 30 - i } })));
      await dataSource.query(`INSERT INTO campaign_launch (campaign_id, phase) VALUES ($1, 'ranking')`, [c.campaignId]);
      const launcher = app.get(CampaignLauncher);
      const phase = async () =>
        ((await dataSource.query(`SELECT phase FROM campaign_launch WHERE campaign_id = $1`, [c.campaignId])) as { phase: string }[])[0]
          ?.phase;
      while ((await phase()) === 'ranking') expect(await launcher.step(new Date())).toBe(true);
      const ranked = await app.get(ModelService).current(0);
      // Meanwhile, outcomes of other sends teach the live model that interest means opt-outs.
      const features = extractFeatures(person([c.businessId], { interests: { 'running-shoes': 30 } }), c, EMPTY_HISTORY, new Date()).values;
      const learned = await app.get(ModelService).learn(Array.from({ length: 50 }, () => ({ features, label: 0 as const, weight: 5 })));
      expect(learned.version).toBeGreaterThan(ranked.version);
      while ((await phase()) === 'deciding') expect(await launcher.step(new Date())).toBe(true);
      const decided: { model_version: string; outcome: string }[] = await dataSource.query(
        `SELECT model_version, outcome FROM decision WHERE campaign_id = $1`,
        [c.campaignId],
      );
      expect(new Set(decided.map((d) => d.model_version))).toEqual(new Set([ranked.modelVersion]));
      expect(decided.filter((d) => d.outcome === 'send')).toHaveLength(5);
    });
  });

  describe('budget spent on people who can receive it', () => {
    /** Quiet hours around UTC+12's current hour and away from UTC's: one zone asleep, the other awake, whenever the test runs. */
    function quietSettings(now: Date): ScoringConfig {
      const h = now.getUTCHours();
      return config({ QUIET_START_HOUR: String((h + 9) % 24), QUIET_END_HOUR: String((h + 15) % 24) });
    }
    const ASLEEP = 'Etc/GMT-12'; // UTC+12
    const AWAKE = 'UTC';

    async function launchUntilDone(launcher: CampaignLauncher, campaignId: string, now: () => Date): Promise<void> {
      await dataSource.query(`INSERT INTO campaign_launch (campaign_id, phase) VALUES ($1, 'ranking')`, [campaignId]);
      const phase = async () =>
        ((await dataSource.query(`SELECT phase FROM campaign_launch WHERE campaign_id = $1`, [campaignId])) as { phase: string }[])[0]
          ?.phase;
      while ((await phase()) !== 'done') expect(await launcher.step(now())).toBe(true);
    }

    async function decisionsOf(campaignId: string) {
      return (await dataSource.query(
        `SELECT person_id, outcome, reason, score, explanation->>'summary' AS summary FROM decision WHERE campaign_id = $1`,
        [campaignId],
      )) as { person_id: string; outcome: string; reason: string; score: number; summary: string }[];
    }

    it('sets the cutoff over people who can receive the message now, so capped, held-out and sleeping people free their places for the next-ranked', async () => {
      const now = new Date();
      const quiet = replica(app.get(KafkaPublisher), quietSettings(now));
      await quiet.dataSource.initialize();
      try {
        const c = await campaign({ budgetMessages: 8, holdoutShare: 0.15 });
        const interests = (i: number) => ({ interests: { 'running-shoes': 1 + (i % 10) } });
        const awake = Array.from({ length: 16 }, (_, i) => person([c.businessId], { timeZone: AWAKE, ...interests(i) }));
        const asleep = Array.from({ length: 12 }, (_, i) => person([c.businessId], { timeZone: ASLEEP, ...interests(i) }));
        // Capped: two messages today from other businesses (the cross-business daily cap is 2).
        const others = [await campaign({ budgetMessages: 100 }), await campaign({ budgetMessages: 100 })];
        const capped = Array.from({ length: 12 }, (_, i) =>
          person([c.businessId, ...others.map((o) => o.businessId)], { timeZone: AWAKE, ...interests(i) }),
        );
        for (const o of others) await app.get(DecisionEngine).evaluate(capped, [o], now);
        await app.get(AudienceService).upsert([...awake, ...asleep, ...capped]);

        await launchUntilDone(quiet.launcher, c.campaignId, () => now);

        const decided = await decisionsOf(c.campaignId);
        const reasonOf = new Map(decided.map((d) => [d.person_id.trim(), d]));
        // The whole budget is sent, to awake, uncapped people outside the holdout.
        const sent = decided.filter((d) => d.outcome === 'send');
        expect(sent).toHaveLength(8);
        const awakeIds = new Set(awake.map((p) => p.personId));
        for (const d of sent) expect(awakeIds.has(d.person_id.trim())).toBe(true);
        for (const p of capped) expect(reasonOf.get(p.personId)?.reason).toMatch(/frequency_capped|holdout|budget_exhausted/);
        expect(capped.filter((p) => reasonOf.get(p.personId)?.reason === 'frequency_capped').length).toBeGreaterThan(0);
        // The best of those who could receive it: no awake eligible person left out scores above a send.
        const cutoff = Math.min(...sent.map((d) => d.score));
        const exhausted = decided.filter((d) => d.reason === 'budget_exhausted');
        expect(exhausted.length).toBeGreaterThan(0);
        for (const d of exhausted) {
          expect(d.score).toBeLessThanOrEqual(cutoff);
          // Under the cutoff, or tied with it when the budget ran out.
          expect(d.summary).toMatch(/budget cutoff .*cutoff 0\.\d+|Budget of campaign .* is spent/);
        }
        // minRelevance is 0: nobody is "not relevant".
        expect(decided.filter((d) => d.reason === 'not_relevant')).toEqual([]);
        // Asleep people above the cutoff are scheduled for their local morning, not dropped.
        const sleeping = asleep.flatMap((p) => reasonOf.get(p.personId) ?? []);
        const scheduledRows: { person_id: string; due_at: Date }[] = await dataSource.query(
          `SELECT person_id, due_at FROM scheduled_evaluation WHERE campaign_id = $1`,
          [c.campaignId],
        );
        const sleepingQuiet = sleeping.filter((d) => d.reason === 'quiet_hours');
        expect(scheduledRows.map((r) => r.person_id.trim()).sort()).toEqual(sleepingQuiet.map((d) => d.person_id.trim()).sort());
        for (const d of sleepingQuiet) expect(d.score).toBeGreaterThanOrEqual(cutoff);
        const localEnd = (now.getUTCHours() + 15) % 24;
        for (const r of scheduledRows) {
          const due = new Date(r.due_at);
          expect((due.getUTCHours() + 12) % 24).toBe(localEnd);
          expect(due.getUTCMinutes()).toBe(0);
          expect(due.getTime()).toBeGreaterThan(now.getTime());
        }
      } finally {
        await quiet.dataSource.destroy();
      }
    });

    it('evaluates people scheduled after their quiet hours again at their local morning, for the budget left', async () => {
      const now = new Date();
      const quiet = replica(app.get(KafkaPublisher), quietSettings(now));
      await quiet.dataSource.initialize();
      try {
        const c = await campaign({ budgetMessages: 8 });
        const awake = Array.from({ length: 3 }, (_, i) =>
          person([c.businessId], { timeZone: AWAKE, interests: { 'running-shoes': 1 + i } }),
        );
        const asleep = Array.from({ length: 7 }, (_, i) =>
          person([c.businessId], { timeZone: ASLEEP, interests: { 'running-shoes': 1 + i } }),
        );
        await app.get(AudienceService).upsert([...awake, ...asleep]);
        await launchUntilDone(quiet.launcher, c.campaignId, () => now);
        expect(await sendsOf(c.campaignId)).toBe(3);
        const rows: { due_at: Date }[] = await dataSource.query(`SELECT due_at FROM scheduled_evaluation WHERE campaign_id = $1`, [
          c.campaignId,
        ]);
        expect(rows).toHaveLength(7);
        const asleepIds = new Set(asleep.map((p) => p.personId));
        const scheduledBest = (await decisionsOf(c.campaignId))
          .filter((d) => asleepIds.has(d.person_id.trim()))
          .sort((a, b) => b.score - a.score)
          .map((d) => d.person_id.trim());
        // Not due yet: nothing happens.
        while (await quiet.launcher.scheduledStep(now)) {
          /* other campaigns' due people */
        }
        expect(await sendsOf(c.campaignId)).toBe(3);
        // Their morning: the 5 places left go to the best 5 of them; the last two are told the budget is spent.
        const morning = new Date(Math.max(...rows.map((r) => new Date(r.due_at).getTime())) + 60_000);
        while (await quiet.launcher.scheduledStep(morning)) {
          /* until none is due */
        }
        expect(await sendsOf(c.campaignId)).toBe(8);
        const decided = await decisionsOf(c.campaignId);
        const late = decided.filter((d) => asleepIds.has(d.person_id.trim()));
        expect(late.map((d) => d.person_id.trim()).sort()).toEqual([...scheduledBest].sort());
        // The best 5 by the score they were decided with in the morning (features are taken again then,
        // so two close scores of the night may swap: the night's order is not the promise).
        const sentLate = late.filter((d) => d.outcome === 'send');
        expect(sentLate).toHaveLength(5);
        const left = late.filter((d) => d.outcome !== 'send');
        expect(left).toHaveLength(2);
        expect(Math.min(...sentLate.map((d) => d.score))).toBeGreaterThanOrEqual(Math.max(...left.map((d) => d.score)));
        for (const d of left) expect(d.reason).toBe('budget_exhausted');
        expect(await dataSource.query(`SELECT 1 FROM scheduled_evaluation WHERE campaign_id = $1`, [c.campaignId])).toEqual([]);
      } finally {
        await quiet.dataSource.destroy();
      }
    });

    it("says not_relevant only under the campaign's own minRelevance, and budget_exhausted with its cutoff otherwise", async () => {
      const strict = await campaign({ minRelevance: 0.999 });
      const open = await campaign({ minRelevance: 0 });
      const p = person([strict.businessId, open.businessId]);
      const [under] = await app.get(DecisionEngine).evaluate([p], [strict], new Date());
      expect(under).toMatchObject({ outcome: 'suppress', reason: 'not_relevant' });
      expect(under.explanation.summary).toContain('minRelevance 0.999');
      // A launch's cutoff above the person's score, on a campaign with minRelevance 0.
      const [cut] = await app.get(DecisionEngine).evaluate([p], [open], new Date(), { cutoffs: new Map([[open.campaignId, 0.999]]) });
      expect(cut).toMatchObject({ outcome: 'suppress', reason: 'budget_exhausted' });
      expect(cut.explanation.summary).toContain('cutoff 0.999');
    });
  });

  describe('campaign report', () => {
    it("reports a campaign's sends, outcomes, spend, holdout conversions, uplift with its interval and suppressions, to its business only", async () => {
      const keys = app.get(ApiKeyStore);
      const c = await campaign({ budgetMessages: 20, holdoutShare: 0.4 });
      const owner = await keys.issue(c.businessId);
      const stranger = await keys.issue(`stranger-report-${run}`);
      const people = Array.from({ length: 40 }, () => person([c.businessId]));
      const noContact = person([c.businessId], { contact: undefined });
      const decided = await app.get(DecisionEngine).evaluate([...people, noContact], [c], new Date());
      const sends = decided.filter((d) => d.outcome === 'send');
      const held = decided.filter((d) => d.reason === 'holdout');
      expect(sends.length).toBeGreaterThan(5);
      expect(held.length).toBeGreaterThan(5);
      // Outcomes of the sends: all delivered, half read, two bought, one opted out; then a holdout purchase.
      const learner = app.get(OutcomeLearner);
      const byId = await app.get(DecisionStore).sendsByDecisionId(sends.map((d) => d.decisionId));
      const at = new Date().toISOString();
      const outcomes = sends.flatMap((d, i) => {
        const send = byId.get(d.decisionId)!;
        return [
          { send, kind: 'delivered' as const, occurredAt: at },
          ...(i % 2 === 0 ? [{ send, kind: 'read' as const, occurredAt: at }] : []),
          ...(i < 2 ? [{ send, kind: 'purchased' as const, occurredAt: at }] : []),
          ...(i === 3 ? [{ send, kind: 'opted_out' as const, occurredAt: at }] : []),
        ];
      });
      await learner.learn(outcomes);
      const buyer = held[0];
      expect(await learner.recordHoldoutPurchases([{ personId: buyer.personId, businessId: c.businessId, occurredAt: at }])).toBe(1);
      // A replayed purchase, and one from another business, change nothing.
      expect(await learner.recordHoldoutPurchases([{ personId: buyer.personId, businessId: c.businessId, occurredAt: at }])).toBe(0);
      expect(await learner.recordHoldoutPurchases([{ personId: held[1].personId, businessId: `other-${run}`, occurredAt: at }])).toBe(0);

      const res = await fetch(`${base}/v1/campaigns/${c.campaignId}/report`, { headers: { authorization: `Bearer ${owner.apiKey}` } });
      expect(res.status).toBe(200);
      const report = (await res.json()) as Record<string, unknown> & { uplift: { value: number; low: number; high: number } };
      const pt = 2 / sends.length;
      const ph = 1 / held.length;
      expect(report).toMatchObject({
        campaignId: c.campaignId,
        sent: sends.length,
        delivered: sends.length,
        read: Math.ceil(sends.length / 2),
        clicked: 0,
        converted: 2,
        optedOut: 1,
        budget: { messages: 20, spent: sends.length, share: Math.round((sends.length / 20) * 1e4) / 1e4 },
        holdout: { people: held.length, conversions: 1 },
        suppressions: expect.objectContaining({ holdout: held.length, no_contact: 1 }),
      });
      expect(report.uplift.value).toBeCloseTo(pt - ph, 5);
      const se = Math.sqrt((pt * (1 - pt)) / sends.length + (ph * (1 - ph)) / held.length);
      expect(report.uplift.low).toBeCloseTo(pt - ph - 1.96 * se, 3);
      expect(report.uplift.high).toBeCloseTo(pt - ph + 1.96 * se, 3);
      const other = await fetch(`${base}/v1/campaigns/${c.campaignId}/report`, { headers: { authorization: `Bearer ${stranger.apiKey}` } });
      expect(other.status).toBe(404);
      expect((await fetch(`${base}/v1/campaigns/${c.campaignId}/report`)).status).toBe(401);
    });
  });

  describe('decision outbox', () => {
    it('publishes decisions only once committed, and relays those whose publish failed after the commit', async () => {
      const c = await campaign({ budgetMessages: 10 });
      const people = [person([c.businessId]), person([c.businessId])];
      // The broker goes away right after the commit.
      const unreachable = {
        publish: async () => {
          throw new Error('broker gone');
        },
      } as unknown as KafkaPublisher;
      const engine = (outbox: DecisionOutbox) =>
        new DecisionEngine(
          dataSource,
          app.get(CampaignCatalog),
          app.get(DecisionStore),
          app.get(ModelService),
          outbox,
          settings,
          app.get(EligibilityService),
          app.get(RateBook),
        );
      const probe = await TopicProbe.start(testBrokers(), Topic.TargetingDecisionsV1);
      try {
        await expect(engine(new DecisionOutbox(dataSource, unreachable)).evaluate(people, [c], new Date())).rejects.toThrow('broker gone');
        // Committed: the sends and the budget they took, and their records waiting in the outbox.
        expect(await sendsOf(c.campaignId)).toBe(2);
        const waiting: { id: string }[] = await dataSource.query(`SELECT id FROM decision_outbox WHERE records @> $1::jsonb`, [
          JSON.stringify([{ value: { campaignId: c.campaignId } }]),
        ]);
        expect(waiting).toHaveLength(1);
        const rowId = waiting[0]?.id;

        // The batch comes again: decided already, so the engine publishes nothing more.
        expect(await app.get(DecisionEngine).evaluate(people, [c], new Date())).toEqual([]);

        // The service's relay (every 2 s) publishes a row once it is older than RELAY_AFTER_MS.
        await dataSource.query(`UPDATE decision_outbox SET created_at = now() - interval '1 minute' WHERE id = $1`, [rowId]);
        for (const p of people) {
          const record = await probe.waitFor((d) => d.campaignId === c.campaignId && d.personId === p.personId);
          expect(record.value).toMatchObject({ outcome: 'send', send: { contact: p.contact } });
        }
        await eventually('the relayed row deleted', async () =>
          (await dataSource.query(`SELECT id FROM decision_outbox WHERE id = $1`, [rowId])).length === 0 ? true : undefined,
        );
      } finally {
        await probe.stop();
      }
    });
  });

  describe('learning', () => {
    it('learns from outcomes once each and keeps what it learned across a restart', async () => {
      const c = await campaign({ budgetMessages: 50 });
      const people = Array.from({ length: 10 }, () => person([c.businessId]));
      const decisions = await app.get(DecisionEngine).evaluate(people, [c], new Date());
      const learner = app.get(OutcomeLearner);
      const before = await app.get(ModelService).current(0);
      const sends = await app.get(DecisionStore).sendsByDecisionId(decisions.map((d) => d.decisionId));
      const outcomes = [...sends.values()].map((send) => ({ send, kind: 'opted_out' as const, occurredAt: new Date().toISOString() }));
      expect(await learner.learn(outcomes)).toBe(10);
      expect(await learner.learn(outcomes)).toBe(0);
      const after = await app.get(ModelService).current(0);
      expect(after.version).toBe(before.version + 1);
      expect(after.weights.interest).toBeLessThan(before.weights.interest);

      // A new replica (a restarted service) starts from the learned version, not from the prior.
      const restarted = replica(app.get(KafkaPublisher), settings);
      await restarted.dataSource.initialize();
      try {
        const reloaded = await restarted.models.current(0);
        expect(reloaded.version).toBe(after.version);
        expect(reloaded.weights).toEqual(after.weights);
        const [next] = await restarted.engine.evaluate([person([c.businessId])], [c], new Date());
        expect(next.modelVersion).toBe(after.modelVersion);
      } finally {
        await restarted.dataSource.destroy();
      }
    });
  });
});
