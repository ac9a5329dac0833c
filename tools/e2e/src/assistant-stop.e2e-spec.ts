import { type CampaignV1, type ConsentEventV1, type EngagementEventV1, Topic } from '@wt/contracts';
import { eventually, randomFrenchMobile, testBrokers, testDatabaseUrl, TestProducer, testServiceUrl, TopicProbe } from '@wt/testing';
import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { randomInt, randomUUID } from 'node:crypto';
import { campaignsRunning, e2eCampaign, ended } from './e2e-fixtures';

interface SandboxMessage {
  to: string;
  waId: string;
  type: 'template' | 'text';
  bizOpaqueCallbackData?: string;
}

/**
 * A person answers a campaign message with STOP: the assistant revokes their marketing consent
 * for that business, confirms it to them, and the business's next campaign reaches a person who
 * stayed opted in but not them. Everything through the running services.
 */
describe('assistant: STOP stops the next campaign message', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const businessId = process.env['WT_TEST_ASSISTANT_BUSINESS']!;
  const apiKey = process.env['WT_TEST_ASSISTANT_KEY']!;
  const phoneNumberId = `8${randomInt(1e9, 9e9)}`;
  const mobile = () => randomFrenchMobile().e164;
  const stopper = mobile();
  const control = mobile();
  let producer: TestProducer;
  const probes: TopicProbe<Topic>[] = [];

  const campaign = (n: number): CampaignV1 =>
    e2eCampaign({ campaignId: `stop-${run}-${n}`, businessId, name: `Offer ${n}`, phoneNumberId });

  async function send(topic: Topic, key: string | null, value: object): Promise<void> {
    await producer.publish(topic, [{ key, value }]);
  }

  async function messages(): Promise<SandboxMessage[]> {
    return (await (
      await fetch(`${testServiceUrl('whatsapp-sandbox')}/sandbox/messages?phoneNumberId=${phoneNumberId}`)
    ).json()) as SandboxMessage[];
  }

  const templatesTo = (all: SandboxMessage[], e164: string) => all.filter((m) => m.type === 'template' && m.waId === e164.slice(1));

  /** True once the running service's consumer group has committed every record of the topic. */
  async function caughtUp(service: string, topic: Topic): Promise<true | undefined> {
    const admin = new Kafka({ brokers, clientId: 'e2e-stop-lag', logLevel: logLevel.ERROR }).admin();
    await admin.connect();
    try {
      const named = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.endsWith(`.${service}`));
      const active = (await admin.describeGroups(named)).groups.filter((g) => g.state === 'Stable').map((g) => g.groupId);
      if (active.length === 0) return undefined;
      const ends = await admin.fetchTopicOffsets(topic);
      for (const groupId of active) {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const done = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        if (!ends.every((end) => Number(end.high) === 0 || (done.get(end.partition) ?? -1) >= Number(end.high))) return undefined;
      }
      return true;
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    producer = await TestProducer.connect('e2e-stop', brokers);
  });

  afterAll(async () => {
    for (const n of [1, 2]) await send(Topic.CampaignsV1, `stop-${run}-${n}`, ended(campaign(n)));
    await producer?.disconnect();
    await Promise.all(probes.map((p) => p.stop()));
  });

  it('revokes, confirms, and leaves the person out of the next campaign', async () => {
    expect(businessId).toBeTruthy();
    const registered = await fetch(`${testServiceUrl('assistant')}/v1/phone-numbers/${phoneNumberId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(registered.status).toBe(201);

    const consents = await TopicProbe.start(brokers, Topic.ConsentV1);
    probes.push(consents);

    // The business's campaign runs first; then people opt in and engage (the real-time path).
    const running = await campaignsRunning();
    await send(Topic.CampaignsV1, `stop-${run}-1`, campaign(1));
    await eventually('scoring to know the first campaign', async () => ((await campaignsRunning()) > running ? true : undefined));

    for (const phone of [stopper, control]) {
      const consent: ConsentEventV1 = {
        phone,
        purpose: 'whatsapp_marketing',
        businessId,
        status: 'granted',
        occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
        source: 'e2e',
      };
      await send(Topic.ConsentV1, null, consent);
      // Facebook engagement counts for targeting only with cross-app consent.
      await send(Topic.ConsentV1, null, { ...consent, purpose: 'cross_app_profiling', businessId: undefined });
      const engagement: EngagementEventV1 = {
        eventId: `stop-${run}-${phone.slice(-4)}`,
        source: 'facebook',
        type: 'click',
        phone,
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        categories: ['hiking'],
      };
      await send(Topic.SocialEngagementV1, null, engagement);
    }
    await eventually(
      'the first campaign to reach both people',
      async () => {
        const all = await messages();
        return templatesTo(all, stopper).length === 1 && templatesTo(all, control).length === 1 ? true : undefined;
      },
      60_000,
    );

    // The person answers STOP inside the conversation.
    const inbound = await fetch(`${testServiceUrl('whatsapp-sandbox')}/sandbox/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: stopper.slice(1), phoneNumberId, text: 'STOP' }),
    });
    expect(inbound.status).toBe(202);

    const revocation = await consents.waitFor((c) => c.businessId === businessId && c.status === 'revoked', 60_000);
    const personId = revocation.value.personId as string;
    expect(revocation.value).toMatchObject({ purpose: 'whatsapp_marketing', source: 'whatsapp-reply' });
    expect(JSON.stringify(revocation)).not.toContain(stopper.slice(3));
    // Both the dispatcher (every inbound STOP) and the assistant (its own STOP command) publish the
    // same revocation; profiles' ledger keeps one row of it.
    const both = await eventually(
      'the dispatcher and the assistant to both publish the revocation',
      async () => {
        const found = consents.records.filter((r) => r.value?.businessId === businessId && r.value.status === 'revoked');
        return found.length >= 2 ? found : undefined;
      },
      60_000,
    );
    // The same change (person, business, time, source), each saying who asserted it.
    const { assertedVia: _via, assertedBy: _by, ...change } = revocation.value;
    expect(both.map((r) => r.value)).toEqual([expect.objectContaining(change), expect.objectContaining(change)]);
    expect(both.map((r) => `${r.value?.assertedVia}/${r.value?.assertedBy}`).sort()).toEqual([
      'assistant/assistant',
      'whatsapp_webhook/dispatcher',
    ]);
    // Once ingest and profiles have consumed both (their groups caught up), the ledger holds one row.
    await eventually('ingest to consume both revocations', () => caughtUp('ingest', Topic.ConsentV1), 60_000);
    await eventually('profiles to apply both revocations', () => caughtUp('profiles', Topic.ConsentNormalizedV1), 60_000);
    const ledger = new Client({ connectionString: testDatabaseUrl('profiles') });
    await ledger.connect();
    try {
      const { rows } = await ledger.query<{ source: string }>(
        `SELECT source FROM consent_ledger WHERE person_id = $1 AND business_id = $2 AND status = 'revoked'`,
        [personId, businessId],
      );
      expect(rows).toEqual([{ source: 'whatsapp-reply' }]);
    } finally {
      await ledger.end();
    }
    await eventually(
      'the confirmation to reach the person',
      async () => {
        const confirmations = (await messages()).filter((m) => m.type === 'text' && m.waId === stopper.slice(1));
        return confirmations.length > 0 ? confirmations : undefined;
      },
      60_000,
    );

    // Give the revocation time to reach profiles and scoring, then launch the next campaign.
    const snapshots = await TopicProbe.start(brokers, Topic.ProfileSnapshotsV1, true);
    probes.push(snapshots);
    await snapshots.waitFor(
      (s) => s.consents.whatsappMarketing.length === 0 && s.activity.totalEvents >= 1 && s.interests['hiking'] !== undefined,
      60_000,
    );
    await send(Topic.CampaignsV1, `stop-${run}-2`, { ...campaign(2), startsAt: new Date().toISOString() });

    await eventually(
      'the second campaign to reach the person who stayed',
      async () => {
        return templatesTo(await messages(), control).length === 2 ? true : undefined;
      },
      90_000,
    );
    expect(templatesTo(await messages(), stopper)).toHaveLength(1);
  });
});
