import { Topic, type TargetingDecisionV1 } from '@wt/contracts';
import { createKafka, KafkaPublisher } from '@wt/kafka';
import { testBrokers, testDatabaseUrl } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { SCORING_ENTITIES, SCORING_MIGRATIONS } from '../app.module';
import { DecisionOutbox, type DecisionRecord } from '../decision/decision-outbox';

/**
 * The decision outbox is fenced (issue 18, point 8), on the real Postgres and the real broker: a
 * row is published by whoever takes it in the statement that locks it, once. Seen before: scoring
 * frozen right after its commit, its relay and its own publish both published the same records.
 * Here two replicas' outboxes (two connection pools, one database) play it step by step; every
 * publish really goes to the broker, and the publishes are counted at the publisher.
 */
describe('scoring: an outbox row is published once, whoever takes it', () => {
  const run = randomUUID().slice(0, 8);
  const name = `wt_it_outbox_fencing_${run}`;
  let admin: Client;
  let url: string;
  let writerSource: DataSource;
  let relaySource: DataSource;
  let publisher: KafkaPublisher;
  let published: DecisionRecord[][];

  const record = (i: number): DecisionRecord => {
    const personId = randomBytes(32).toString('hex');
    const value: TargetingDecisionV1 = {
      decisionId: `outbox-fence-${run}-${i}`,
      campaignId: `campaign-${run}`,
      businessId: 'acme',
      personId,
      outcome: 'suppress',
      reason: 'no_marketing_consent',
      score: 0,
      modelVersion: 'test',
      explanation: { summary: 'test', factors: [] },
      decidedAt: new Date().toISOString(),
    };
    return { key: personId, value };
  };
  const write = (outbox: DecisionOutbox, source: DataSource, records: DecisionRecord[]) =>
    source.transaction((manager) => outbox.add(manager, records));
  const publishedIds = () => published.flat().map((r) => r.value.decisionId);

  beforeAll(async () => {
    const adminUrl = new URL(testDatabaseUrl('scoring'));
    admin = new Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    adminUrl.pathname = `/${name}`;
    url = adminUrl.toString();
    const options = { type: 'postgres' as const, url, entities: SCORING_ENTITIES, migrations: SCORING_MIGRATIONS };
    writerSource = await new DataSource(options).initialize();
    await writerSource.runMigrations();
    relaySource = await new DataSource(options).initialize();
    publisher = new KafkaPublisher(createKafka({ brokers: testBrokers(), clientId: `outbox-fencing-${run}`, logLevel: 'error' }));
    await publisher.connect();
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await relaySource?.destroy();
    await writerSource?.destroy();
    await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  });

  beforeEach(() => {
    published = [];
    const publish = publisher.publish.bind(publisher);
    jest.spyOn(publisher, 'publish').mockImplementation(async (topic, records) => {
      expect(topic).toBe(Topic.TargetingDecisionsV1);
      await publish(topic, records); // the real broker
      published.push(records as DecisionRecord[]);
    });
  });

  afterEach(() => jest.restoreAllMocks());

  it('the writer froze after its commit and the relay published the row: the writer, waking, publishes nothing', async () => {
    const writer = new DecisionOutbox(writerSource, publisher);
    const relay = new DecisionOutbox(relaySource, publisher);
    const records = [record(1), record(2), record(3), record(4)];
    const id = await write(writer, writerSource, records);
    // The freeze: the row outlives RELAY_AFTER_MS unpublished (its age set rather than waited for).
    await writerSource.query(`UPDATE decision_outbox SET created_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    expect(await relay.relay()).toBe(4);
    expect(await writer.publish(id, records)).toBe(false);
    expect(publishedIds().sort()).toEqual(records.map((r) => r.value.decisionId).sort());
  });

  it('while the writer holds its row, the relay skips it; the writer publishes it once', async () => {
    const writer = new DecisionOutbox(writerSource, publisher);
    const relay = new DecisionOutbox(relaySource, publisher);
    const records = [record(5)];
    const id = await write(writer, writerSource, records);
    await writerSource.query(`UPDATE decision_outbox SET created_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    // The writer's publish is held right before it reaches the broker (as a slow or frozen process
    // would be) with the row taken; the relay runs meanwhile.
    let releaseWriter!: () => void;
    const held = new Promise<void>((resolve) => (releaseWriter = resolve));
    let writerReached!: () => void;
    const reached = new Promise<void>((resolve) => (writerReached = resolve));
    const publish = publisher.publish as jest.Mock;
    const realPublish = publish.getMockImplementation()!;
    publish.mockImplementationOnce(async (topic, recs) => {
      writerReached();
      await held;
      return realPublish(topic, recs);
    });
    const writing = writer.publish(id, records);
    await reached;
    expect(await relay.relay()).toBe(0);
    releaseWriter();
    expect(await writing).toBe(true);
    expect(publishedIds()).toEqual([records[0]!.value.decisionId]);
    expect((await writerSource.query(`SELECT count(*)::int AS n FROM decision_outbox`))[0].n).toBe(0);
  });
});
