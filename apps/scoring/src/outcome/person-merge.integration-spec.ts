import { type INestApplication, type INestMicroservice } from '@nestjs/common';
import { type PersonMergeV1, type ProfileSnapshotV1, Topic } from '@wt/contracts';
import { createKafka } from '@wt/kafka';
import { eventually, testBrokers } from '@wt/testing';
import { type Producer } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { DecisionEngine } from '../decision/decision.engine';
import { snapshotFixture } from '../testing/fixtures';
import { startScoringApp, startTopicConsumer, TestCampaigns, testScoringConfig } from '../testing/scoring-test-app';
import { IdentityMergeConsumer } from './identity-merge.consumer';

const run = randomUUID().slice(0, 8);

/**
 * Issue 17, point 2, in scoring on the real Postgres and Kafka: once a person known only by a
 * business-scoped user id is merged into a number's person (`internal.identity.merges.v1`, from the
 * dispatcher or ingest), scoring treats them as one: the merged person's send is the number's person's,
 * so the campaign is not sent to them a second time, and their unreachability follows.
 */
describe('scoring: identity merges make two people one', () => {
  const settings = testScoringConfig({ QUIET_START_HOUR: '0', QUIET_END_HOUR: '0', RELEVANCE_MODEL: `it-merge-${run}` });
  let app: INestApplication;
  let dataSource: DataSource;
  let consumer: INestMicroservice;
  let producer: Producer;
  const testCampaigns = new TestCampaigns(`merge-${run}`);

  beforeAll(async () => {
    ({ app, dataSource } = await startScoringApp(settings));
    const merges = app.get(IdentityMergeConsumer);
    consumer = await startTopicConsumer(app, settings, `it-merge-${run}`, Topic.IdentityMergesV1, (batch) => merges.on(batch));
    producer = createKafka({ brokers: testBrokers(), clientId: `merge-it-${run}` }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await testCampaigns.endAll(app);
    await producer?.disconnect();
    await consumer?.close();
    await app?.close();
  });

  const snapshot = (personId: string, businessId: string): ProfileSnapshotV1 =>
    snapshotFixture({
      personId,
      updatedAt: new Date().toISOString(),
      country: 'FR',
      consents: { whatsappMarketing: [businessId], crossAppProfiling: true },
    });

  const sendsTo = async (campaignId: string): Promise<{ person_id: string; decision_id: string }[]> =>
    (await dataSource.query(`SELECT person_id, decision_id FROM decision WHERE campaign_id = $1 AND outcome = 'send'`, [campaignId])).map(
      (r: { person_id: string; decision_id: string }) => ({ ...r, person_id: r.person_id.trim() }),
    );

  it("moves the merged person's send and reachability: the number's person is not sent the campaign again", async () => {
    const c = await testCampaigns.create(app, { budgetMessages: 10 });
    const [bsuidOnly, number] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
    await app.get(DecisionEngine).evaluate([snapshot(bsuidOnly, c.businessId)], [c], new Date());
    const [sent] = await sendsTo(c.campaignId);
    expect(sent?.person_id).toBe(bsuidOnly);
    await dataSource.query(
      `INSERT INTO unreachable_person (person_id, failed_at, until, error_code) VALUES ($1, now(), now() + interval '1 hour', 131026)`,
      [bsuidOnly],
    );

    const merge: PersonMergeV1 = { fromPersonId: bsuidOnly, intoPersonId: number, via: 'bsuid', mergedAt: new Date().toISOString() };
    await producer.send({ topic: Topic.IdentityMergesV1, messages: [{ key: number, value: JSON.stringify(merge) }] });
    await eventually('the send moved to the number’s person', async () =>
      (await sendsTo(c.campaignId)).some((s) => s.person_id === number) ? true : undefined,
    );
    expect(await sendsTo(c.campaignId)).toEqual([{ person_id: number, decision_id: sent?.decision_id }]);
    const unreachable: { person_id: string }[] = await dataSource.query(
      `SELECT person_id FROM unreachable_person WHERE person_id = ANY($1)`,
      [[bsuidOnly, number]],
    );
    expect(unreachable.map((r) => r.person_id.trim())).toEqual([number]);

    // The merged profile arrives (profiles republishes it under the number's person): no second send of the campaign.
    await app.get(DecisionEngine).evaluate([snapshot(number, c.businessId)], [c], new Date());
    expect(await sendsTo(c.campaignId)).toHaveLength(1);
  });
});
