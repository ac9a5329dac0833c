import { type MessageStatusV1, Topic } from '@wt/contracts';
import { createKafka, KafkaPublisher, type OutgoingRecord, type TopicRecords } from '@wt/kafka';
import { testBrokers, TopicProbe } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { migratedDatabase } from '../testing/migrated-database';
import { WebhookOutbox } from './webhook-outbox';

/**
 * The webhook's records go through an outbox (issue 18, point 1): published after the commit,
 * holding no database connection while Kafka answers (a broker failing over used to hold the pool
 * through the webhooks waiting in their transactions). On the real Postgres (the dispatcher's
 * migrations) and the real broker: a status is published exactly once, whether the publish after
 * the commit succeeds, fails (provoked on purpose: the publisher refuses it) or never comes (the
 * writer froze past its claim). The ages of rows are set, never waited for; "once" is proven by
 * ordering: a later status of the same person (same key, same partition) is seen first.
 */
describe('dispatcher: a webhook status is published exactly once, even when the publish after the commit fails', () => {
  const run = randomUUID().slice(0, 8);
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  let source: DataSource;
  let publisher: KafkaPublisher;
  let statuses: TopicProbe<Topic.WhatsappMessageStatusV1>;
  let outbox: WebhookOutbox;
  let seq = 0;

  /** The batches a webhook with one status of a new person writes (as WebhookIntake does). */
  const webhook = (label: string, personId = randomBytes(32).toString('hex')) => {
    const status: OutgoingRecord<MessageStatusV1> = {
      key: personId,
      value: {
        decisionId: `webhook-outbox-${run}-${label}`,
        businessId: `biz-${run}`,
        personId,
        wamid: `wamid.outbox-${run}-${label}-${++seq}`,
        status: 'delivered',
        occurredAt: new Date().toISOString(),
        reportedBy: 'webhook',
      },
    };
    const batches: TopicRecords[] = [{ topic: Topic.WhatsappMessageStatusV1, records: [status] }];
    return { personId, wamid: status.value.wamid as string, batches };
  };
  const write = (batches: TopicRecords[]) => source.transaction((manager) => outbox.addClaimed(manager, batches));
  /** The row's age, as if `ms` had passed since its insert. */
  const age = (id: string, ms: number) =>
    source.query(`UPDATE webhook_outbox SET created_at = created_at - make_interval(secs => $2) WHERE id = $1`, [id, ms / 1000]);
  const rows = async () => ((await source.query(`SELECT count(*)::int AS n FROM webhook_outbox`)) as { n: number }[])[0]?.n;

  /** How many times `wamid` is on the topic, once a later status of the same person was seen. */
  async function timesPublished(personId: string, wamid: string): Promise<number> {
    const later = webhook('later', personId);
    await publisher.publishAll(later.batches);
    await statuses.waitFor((s) => s.wamid === later.wamid);
    return statuses.records.filter((r) => r.value.wamid === wamid).length;
  }

  beforeAll(async () => {
    db = await migratedDatabase(`wt_it_webhook_outbox_${run}`);
    source = db.source;
    publisher = new KafkaPublisher(createKafka({ brokers: testBrokers(), clientId: `webhook-outbox-${run}`, logLevel: 'error' }));
    await publisher.connect();
    statuses = await TopicProbe.start(testBrokers(), Topic.WhatsappMessageStatusV1);
    outbox = new WebhookOutbox(source, publisher);
  });

  afterAll(async () => {
    await statuses?.stop();
    await publisher?.disconnect();
    await db?.drop();
  });

  afterEach(() => jest.restoreAllMocks());

  it('published right after the commit: the row is gone, the relay finds nothing, the status is on the topic once', async () => {
    const { personId, wamid, batches } = webhook('at-once');
    const claim = await write(batches);
    expect(await outbox.publishClaimed(claim, batches)).toBe(true);
    expect(await rows()).toBe(0);
    expect(await outbox.relay()).toBe(0);
    expect(await timesPublished(personId, wamid)).toBe(1);
  });

  it('the publish after the commit fails (provoked on purpose): the row waits out the claim, then the relay publishes it once', async () => {
    const { personId, wamid, batches } = webhook('provoked-failure');
    const claim = await write(batches);
    // Provoked on purpose: the broker's refusal, right after the commit.
    jest.spyOn(publisher, 'publishAll').mockRejectedValueOnce(new Error('provoked on purpose: the publish after the commit fails'));
    await expect(outbox.publishClaimed(claim, batches)).rejects.toThrow('provoked on purpose');
    expect(await rows()).toBe(1);
    // Still the writer's claim (a publish of its own may be on its way): the relay leaves it.
    expect(await outbox.relay()).toBe(0);
    await age(claim.id, 61_000);
    expect(await outbox.relay()).toBe(1);
    expect(await rows()).toBe(0);
    expect(await outbox.relay()).toBe(0);
    expect(await timesPublished(personId, wamid)).toBe(1);
  });

  it('the writer froze between its commit and its publish, past its claim: the relay publishes the status, the woken writer nothing', async () => {
    const { personId, wamid, batches } = webhook('frozen-writer');
    const claim = await write(batches);
    await age(claim.id, 61_000);
    expect(await outbox.relay()).toBe(1);
    // The writer wakes 61 s after its insert, by its own clock.
    const woken = { ...claim, writtenAt: claim.writtenAt - 61_000 };
    const publishAll = jest.spyOn(publisher, 'publishAll');
    expect(await outbox.publishClaimed(woken, batches)).toBe(false);
    expect(publishAll).not.toHaveBeenCalled();
    expect(await timesPublished(personId, wamid)).toBe(1);
  });
});
