import { type INestApplication, type INestMicroservice } from '@nestjs/common';
import { ApiKeyStore } from '@wt/business-auth';
import { type CampaignV1, type DeadLetterV1, Topic } from '@wt/contracts';
import { createKafka, type KafkaPublisher, murmur2 } from '@wt/kafka';
import { eventually, testBrokers, TopicProbe } from '@wt/testing';
import { type Admin, type Producer } from 'kafkajs';
import { createHash, randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { RateBook } from '@wt/pricing';
import { CampaignsConsumer } from './campaigns.consumer';
import { campaignFixture } from '../testing/fixtures';
import { startScoringApp, startTopicConsumer, TestCampaigns, testScoringConfig } from '../testing/scoring-test-app';
import { CampaignOutbox } from './campaign-outbox';
import { CampaignService } from './campaign.service';
import { CampaignController, type CampaignView } from './campaign.controller';
import { CampaignStore } from './campaign.store';

const run = randomUUID().slice(0, 8);
const CAMPAIGN_PARTITIONS = 3;
const partitionOf = (key: string) => (murmur2(key) & 0x7fffffff) % CAMPAIGN_PARTITIONS;

/** A fresh campaign id on the same partition of campaigns.v1 as `key` (a later record there comes after it). */
function idOnPartitionOf(key: string, label: string): string {
  for (let i = 0; ; i += 1) {
    const id = `${label}-${run}-${i}`;
    if (partitionOf(id) === partitionOf(key)) return id;
  }
}

describe('campaigns: one owner per id, stored before published, refused for good when they cannot be', () => {
  const settings = testScoringConfig({ RELEVANCE_MODEL: `it-${run}` });
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'campaign-it' });
  let app: INestApplication;
  let consumer: INestMicroservice;
  let base: string;
  let dataSource: DataSource;
  let producer: Producer;
  let admin: Admin;
  let campaigns: TopicProbe<Topic.CampaignsV1>;
  let deadLetters: TopicProbe<Topic.DeadLetterV1>;
  const ended = new TestCampaigns(`campaign-${run}`);

  beforeAll(async () => {
    ({ app, base, dataSource } = await startScoringApp(settings));
    // Scoring's own handler of campaigns.v1, alone in a consumer group of this run: the records pass
    // through the real validation and dead-lettering of KafkaBatchServer, then CampaignsConsumer.
    const scoring = app.get(CampaignsConsumer);
    consumer = await startTopicConsumer(app, settings, `it-campaigns-${run}`, Topic.CampaignsV1, (batch) => scoring.onCampaigns(batch));
    producer = kafka.producer();
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
    [campaigns, deadLetters] = await Promise.all([
      TopicProbe.start(testBrokers(), Topic.CampaignsV1),
      TopicProbe.start(testBrokers(), Topic.DeadLetterV1),
    ]);
  });

  afterAll(async () => {
    // Leave nothing running for the services that share this database in the e2e run.
    await ended.endAll(app);
    await Promise.all([campaigns?.stop(), deadLetters?.stop(), producer?.disconnect(), admin?.disconnect()]);
    await consumer?.close();
    await app?.close();
  });

  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const body = (overrides: Record<string, unknown> = {}) => ({
    name: 'Winter trail',
    status: 'active',
    phoneNumberId: '1000003',
    template: { name: 'winter_trail', language: 'en_US', bodyParameters: [{ from: 'profile', value: 'topInterest' }] },
    targetCategories: ['trail-running'],
    budgetMessages: 10,
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    ...overrides,
  });
  async function business(label: string): Promise<{ id: string; key: string }> {
    const issued = await app.get(ApiKeyStore).issue(`${label}-${run}`);
    return { id: `${label}-${run}`, key: issued.apiKey };
  }
  async function created(res: Response): Promise<CampaignView> {
    expect(res.status).toBe(201);
    const view = (await res.json()) as CampaignView;
    ended.track(view);
    return view;
  }
  /** Produced by another team straight to campaigns.v1, keyed by campaign id. */
  /** The SHA-256 of each record produced, per campaign id: how its dead letter names it (scoring keeps no copy of the original). */
  const producedDigests = new Map<string, Set<string>>();
  const produce = (key: string, value: unknown) => {
    const bytes = JSON.stringify(value);
    const digests = producedDigests.get(key) ?? new Set<string>();
    digests.add(createHash('sha256').update(bytes).digest('hex'));
    producedDigests.set(key, digests);
    return producer.send({ topic: Topic.CampaignsV1, acks: -1, messages: [{ key, value: bytes }] });
  };
  const storedBody = async (campaignId: string) =>
    ((await dataSource.query(`SELECT body FROM campaign WHERE campaign_id = $1`, [campaignId])) as { body: CampaignV1 }[])[0]?.body;
  const deadLetterOf = (campaignId: string) =>
    deadLetters.waitFor(
      (d: DeadLetterV1) =>
        d.originTopic === Topic.CampaignsV1 &&
        d.payloadSha256 !== undefined &&
        (producedDigests.get(campaignId)?.has(d.payloadSha256) ?? false),
      60_000,
    );
  const endOffsets = async () => (await admin.fetchTopicOffsets(Topic.CampaignsV1)).map((p) => `${p.partition}:${p.offset}`).sort();

  describe('the HTTP door', () => {
    it('gives exactly one 201 to ten parallel creates of one campaign id, and 409 to the nine others', async () => {
      const acme = await business('acme');
      const campaignId = `race-${run}`;
      const answers = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/v1/campaigns', acme.key, body({ campaignId }))));
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      ended.track((await (answers.find((r) => r.status === 201) as Response).json()) as CampaignV1);
      await campaigns.waitFor((c) => c.campaignId === campaignId);
    });

    it("keeps a campaign id with the business that created it: another business's create is 409 revealing nothing, and its reads and changes 404", async () => {
      const a = await business('owner-a');
      const b = await business('owner-b');
      const campaignId = `owned-${run}`;
      const mine = await created(await call('POST', '/v1/campaigns', a.key, body({ campaignId, name: 'Kept by A' })));
      expect(mine.businessId).toBe(a.id);

      const refused = await call('POST', '/v1/campaigns', b.key, body({ campaignId, name: 'Taken by B' }));
      expect(refused.status).toBe(409);
      const refusal = await refused.text();
      expect(refusal).not.toContain(campaignId);
      // The very answer the owner gets for its own taken id: nothing tells the two apart.
      const own = await call('POST', '/v1/campaigns', a.key, body({ campaignId }));
      expect(own.status).toBe(409);
      expect(await own.text()).toBe(refusal);

      // Another business's campaign is answered exactly as one that does not exist.
      const missing = `missing-${run}`;
      for (const [method, change] of [
        ['GET', undefined],
        ['PATCH', { name: 'Mine now' }],
      ] as const) {
        const theirs = await call(method, `/v1/campaigns/${campaignId}`, b.key, change);
        const none = await call(method, `/v1/campaigns/${missing}`, b.key, change);
        expect([theirs.status, none.status]).toEqual([404, 404]);
        expect((await theirs.text()).replace(campaignId, 'ID')).toBe((await none.text()).replace(missing, 'ID'));
      }
      const listed = (await (await call('GET', '/v1/campaigns', b.key)).json()) as CampaignV1[];
      expect(listed.map((c) => c.campaignId)).not.toContain(campaignId);

      const read = await call('GET', `/v1/campaigns/${campaignId}`, a.key);
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ businessId: a.id, name: 'Kept by A' });

      // Ended (archived), the id still belongs to A.
      expect((await call('PATCH', `/v1/campaigns/${campaignId}`, a.key, { status: 'ended' })).status).toBe(200);
      expect((await call('POST', '/v1/campaigns', b.key, body({ campaignId }))).status).toBe(409);
    });

    it('gives one 201 when two businesses create one id at once; the other gets 409 and 404, and nothing is overwritten', async () => {
      const a = await business('race-a');
      const b = await business('race-b');
      const campaignId = `contested-${run}`;
      const [fromA, fromB] = await Promise.all([
        call('POST', '/v1/campaigns', a.key, body({ campaignId, name: 'From A' })),
        call('POST', '/v1/campaigns', b.key, body({ campaignId, name: 'From B' })),
      ]);
      expect([fromA.status, fromB.status].sort()).toEqual([201, 409]);
      const [winner, loser] = fromA.status === 201 ? [a, b] : [b, a];
      ended.track((await (fromA.status === 201 ? fromA : fromB).json()) as CampaignV1);
      const read = await call('GET', `/v1/campaigns/${campaignId}`, winner.key);
      expect(await read.json()).toMatchObject({ businessId: winner.id, name: winner === a ? 'From A' : 'From B' });
      expect((await call('GET', `/v1/campaigns/${campaignId}`, loser.key)).status).toBe(404);
      expect((await storedBody(campaignId))?.businessId).toBe(winner.id);
    });

    it.each([
      ['a budget beyond int4', { budgetMessages: 2_147_483_648 }],
      ['a budget of 1e20', { budgetMessages: 1e20 }],
      ['a NUL in the name', { name: 'Winter\u0000trail' }],
      ['a start beyond the planning horizon', { startsAt: '2999-01-01T00:00:00Z' }],
    ])('refuses %s with 400, stores nothing and publishes nothing', async (_what, overrides) => {
      const acme = await business(`strict-${randomUUID().slice(0, 4)}`);
      const campaignId = `strict-${randomUUID()}`;
      const before = await endOffsets();
      const res = await call('POST', '/v1/campaigns', acme.key, body({ campaignId, ...overrides }));
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(new RegExp(Object.keys(overrides)[0] as string));
      expect(await storedBody(campaignId)).toBeUndefined();
      expect(await endOffsets()).toEqual(before);
    });

    /** The campaign API with a publisher whose every publish fails (the broker gone, provoked on purpose). */
    const apiWithUnreachableBroker = () => {
      const unreachable = {
        publish: async () => {
          throw new Error('broker gone (provoked on purpose)');
        },
      } as unknown as KafkaPublisher;
      return new CampaignController(
        new CampaignService(app.get(CampaignStore), new CampaignOutbox(dataSource, unreachable), app.get(RateBook)),
      );
    };

    it('keeps a stored campaign when the publish after the commit fails, and the outbox relay publishes it', async () => {
      const api = apiWithUnreachableBroker();
      const acme = await business('outage');
      const campaignId = `outage-${run}`;
      const view = await api.create(acme.id, { ...body({ campaignId }), status: 'active' } as never);
      ended.track(view);
      expect((await storedBody(campaignId))?.businessId).toBe(acme.id);
      const waiting: { id: string }[] = await dataSource.query(`SELECT id FROM campaign_outbox WHERE key = $1`, [campaignId]);
      expect(waiting).toHaveLength(1);

      // The service's relay (every 2 s) takes a row once it is older than RELAY_AFTER_MS.
      await dataSource.query(`UPDATE campaign_outbox SET created_at = now() - interval '1 minute' WHERE key = $1`, [campaignId]);
      const published = await campaigns.waitFor((c) => c.campaignId === campaignId);
      expect(published.value).toMatchObject({ businessId: acme.id, status: 'active', updatedAt: view.updatedAt });
      await eventually('the relayed row deleted', async () =>
        (await dataSource.query(`SELECT id FROM campaign_outbox WHERE key = $1`, [campaignId])).length === 0 ? true : undefined,
      );
    });

    it("publishes a campaign's states in the order they were stored, even when an older one's publish failed", async () => {
      const api = apiWithUnreachableBroker();
      const acme = await business('order');
      const campaignId = `order-${run}`;
      ended.track(await api.create(acme.id, { ...body({ campaignId, name: 'First' }) } as never));
      // The next change, through the service: its publish takes the waiting older state first.
      expect((await call('PATCH', `/v1/campaigns/${campaignId}`, acme.key, { name: 'Second' })).status).toBe(200);
      const second = await campaigns.waitFor((c) => c.campaignId === campaignId && c.name === 'Second');
      const first = await campaigns.waitFor((c) => c.campaignId === campaignId && c.name === 'First');
      expect(BigInt(first.offset)).toBeLessThan(BigInt(second.offset));
      expect(await dataSource.query(`SELECT id FROM campaign_outbox WHERE key = $1`, [campaignId])).toEqual([]);
    });
  });

  describe('campaigns.v1 produced by other teams', () => {
    /**
     * Produces `state` for `campaignId` (a record the consumer refuses), then a valid draft of
     * `businessId` on the same partition; returns the refusal's dead letter once the draft is stored
     * (the partition flowed on).
     */
    async function refusedThenFlows(campaignId: string, state: object, businessId: string) {
      await produce(campaignId, state);
      const later = campaignFixture({
        campaignId: idOnPartitionOf(campaignId, `after-${campaignId}`),
        businessId,
        status: 'draft',
        updatedAt: new Date().toISOString(),
      });
      await produce(later.campaignId, later);
      const letter = await deadLetterOf(campaignId);
      await eventually('the later campaign stored', async () => (await storedBody(later.campaignId)) ?? undefined, 60_000);
      return letter;
    }

    it('dead-letters a record lowering a budget below what is spent (provokes a refusal on purpose), and the next record of its partition flows', async () => {
      const acme = await business('spent');
      const campaignId = `spent-${run}`;
      const mine = await created(await call('POST', '/v1/campaigns', acme.key, body({ campaignId, budgetMessages: 10 })));
      await dataSource.query(`UPDATE campaign SET spent = 6 WHERE campaign_id = $1`, [campaignId]);
      const { spent: _spent, ...state } = mine;
      const letter = await refusedThenFlows(campaignId, { ...state, budgetMessages: 3, updatedAt: new Date().toISOString() }, acme.id);
      expect(letter.value).toMatchObject({ reason: 'state_conflict', service: 'scoring', originPartition: partitionOf(campaignId) });
      expect(letter.value.detail).toMatch(/budget_below_spent: budgetMessages 3 is below the 6 messages/);
      expect((await storedBody(campaignId))?.budgetMessages).toBe(10);
    });

    it("dead-letters another business's record for a campaign id (provokes a refusal on purpose): the owner's campaign is untouched", async () => {
      const a = await business('topic-a');
      const campaignId = `topic-owned-${run}`;
      const mine = await created(await call('POST', '/v1/campaigns', a.key, body({ campaignId, name: 'Kept by A' })));
      const { spent: _spent, ...state } = mine;
      const taken = { ...state, businessId: `topic-b-${run}`, name: 'Taken by B', updatedAt: new Date().toISOString() };
      const letter = await refusedThenFlows(campaignId, taken, a.id);
      expect(letter.value).toMatchObject({ reason: 'state_conflict' });
      expect(letter.value.detail).toMatch(/another_business/);
      expect(await storedBody(campaignId)).toMatchObject({ businessId: a.id, name: 'Kept by A' });
      expect((await call('GET', `/v1/campaigns/${campaignId}`, a.key)).status).toBe(200);
    });

    it('judges each state of a batch against the one before it: a valid change applies even when a later one of the batch is refused', async () => {
      const store = app.get(CampaignStore);
      const campaignId = `rounds-${run}`;
      const at = (ms: number) => new Date(Date.now() - 10_000 + ms).toISOString();
      const first = campaignFixture({ campaignId, businessId: `rounds-${run}`, budgetMessages: 10, updatedAt: at(0) });
      ended.track(first);
      expect(await store.apply([first])).toEqual([]);
      await dataSource.query(`UPDATE campaign SET spent = 4 WHERE campaign_id = $1`, [campaignId]);
      const refusals = await store.apply([
        { ...first, name: 'Renamed', budgetMessages: 8, updatedAt: at(1) },
        { ...first, businessId: `intruder-${run}`, name: 'Intruder', updatedAt: at(2) },
        { ...first, name: 'Too small', budgetMessages: 2, updatedAt: at(3) },
        { ...first, name: 'Stale', updatedAt: at(0) },
      ]);
      expect(refusals.map((r) => [r.index, r.reason])).toEqual([
        [1, 'another_business'],
        [2, 'budget_below_spent'],
      ]);
      expect(await storedBody(campaignId)).toMatchObject({ businessId: `rounds-${run}`, name: 'Renamed', budgetMessages: 8 });
    });

    it('dead-letters an out-of-range record by validation, before the database (provokes a refusal on purpose), and later records flow', async () => {
      const campaignId = `huge-${run}`;
      const huge = campaignFixture({ campaignId, businessId: `huge-${run}`, status: 'draft', updatedAt: new Date().toISOString() });
      await produce(campaignId, { ...huge, budgetMessages: 2_147_483_648 });
      await produce(campaignId, { ...huge, name: 'nul\u0000name' });
      const later = campaignFixture({
        campaignId: idOnPartitionOf(campaignId, 'after-huge'),
        businessId: `huge-${run}`,
        status: 'draft',
        updatedAt: new Date().toISOString(),
      });
      await produce(later.campaignId, later);

      const letter = await deadLetterOf(campaignId);
      expect(letter.value).toMatchObject({ reason: 'schema_violation' });
      expect(letter.value.detail).toMatch(/budgetMessages/);
      await eventually(
        'the NUL name dead-lettered too',
        async () =>
          deadLetters.records.find(
            (d) =>
              d.value.originTopic === Topic.CampaignsV1 &&
              /name/.test(d.value.detail) &&
              d.value.payloadSha256 !== undefined &&
              (producedDigests.get(campaignId)?.has(d.value.payloadSha256) ?? false),
          ),
        60_000,
      );
      await eventually('the later campaign stored', async () => (await storedBody(later.campaignId)) ?? undefined, 60_000);
      expect(await storedBody(campaignId)).toBeUndefined();
    });
  });
});
