import { type CampaignV1, Topic } from '@wt/contracts';
import { eventually, randomFrenchMobile, testBrokers, TestProducer, testServiceUrl, TopicProbe } from '@wt/testing';
import { randomInt, randomUUID } from 'node:crypto';
import { campaignsRunning, e2eCampaign, ended, IngestDoors } from './e2e-fixtures';

interface SandboxMessage {
  waId: string;
  type: 'template' | 'text';
}

/**
 * Issue 15, point 3: a person types STOP to a business number that NO assistant serves. The
 * dispatcher, which receives every inbound webhook and knows which business owns the number,
 * revokes that business's marketing consent (named by personId, never by number); the business's
 * next campaign does not reach that person, while another person still gets it. Everything through
 * the running services.
 */
describe('STOP to a number no assistant serves stops that business’s next campaign', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const businessId = `stop-any-${run}`;
  const phoneNumberId = `3${randomInt(1e9, 9e9)}`;
  const stopper = randomFrenchMobile().e164;
  const control = randomFrenchMobile().e164;
  let producer: TestProducer;
  const probes: TopicProbe<Topic>[] = [];

  const campaign = (n: number): CampaignV1 =>
    e2eCampaign({ campaignId: `${businessId}-${n}`, businessId, name: `Offer ${n}`, phoneNumberId });

  async function send(topic: Topic, key: string, value: object): Promise<void> {
    await producer.publish(topic, [{ key, value }]);
  }

  /** Ingest's doors need keys: this business's for its consents, the facebook source's for engagement. */
  const doors = new IngestDoors(businessId);
  async function post<T>(path: string, body: unknown): Promise<T> {
    const response = await doors.post(path, body);
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as T;
  }

  const templatesTo = async (e164: string) =>
    (
      (await (
        await fetch(`${testServiceUrl('whatsapp-sandbox')}/sandbox/messages?phoneNumberId=${phoneNumberId}`)
      ).json()) as SandboxMessage[]
    ).filter((m) => m.type === 'template' && m.waId === e164.slice(1));

  beforeAll(async () => {
    producer = await TestProducer.connect('e2e-stop-any', brokers);
  });

  afterAll(async () => {
    for (const n of [1, 2]) await send(Topic.CampaignsV1, `${businessId}-${n}`, ended(campaign(n)));
    await producer?.disconnect();
    await Promise.all(probes.map((p) => p.stop()));
  });

  it('revokes through the dispatcher, and the next campaign reaches the other person only', async () => {
    const consents = await TopicProbe.start(brokers, Topic.ConsentV1);
    probes.push(consents);
    const running = await campaignsRunning();
    await send(Topic.CampaignsV1, `${businessId}-1`, campaign(1));
    await eventually('scoring to know the first campaign', async () => ((await campaignsRunning()) > running ? true : undefined));

    // Both people opt in (marketing for this business, cross-app profiling) and engage: through ingest's HTTP door.
    const ids: Record<string, string> = {};
    for (const phone of [stopper, control]) {
      const base = { phone, status: 'granted', occurredAt: new Date(Date.now() - 3_600_000).toISOString(), source: 'e2e' };
      await post('/v1/consents', {
        consents: [
          { ...base, purpose: 'whatsapp_marketing', businessId },
          { ...base, purpose: 'cross_app_profiling' },
        ],
      });
      const engaged = await post<{ results: { personId: string }[] }>('/v1/engagement-events', {
        events: [
          {
            eventId: `${businessId}-${phone.slice(-4)}`,
            source: 'facebook',
            type: 'click',
            phone,
            occurredAt: new Date(Date.now() - 60_000).toISOString(),
            categories: ['hiking'],
          },
        ],
      });
      ids[phone] = engaged.results[0]?.personId as string;
    }
    await eventually(
      'the first campaign to reach both people',
      async () => ((await templatesTo(stopper)).length === 1 && (await templatesTo(control)).length === 1 ? true : undefined),
      90_000,
    );

    // The person writes STOP (accented French, as typed) to the business number; no assistant serves it.
    const snapshots = await TopicProbe.start(brokers, Topic.ProfileSnapshotsV1, true);
    probes.push(snapshots);
    const inbound = await fetch(`${testServiceUrl('whatsapp-sandbox')}/sandbox/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: stopper.slice(1), phoneNumberId, text: ' Désabonner ' }),
    });
    expect(inbound.status).toBe(202);

    const revocation = await consents.waitFor((c) => c.businessId === businessId && c.status === 'revoked', 60_000);
    expect(revocation.value).toMatchObject({ personId: ids[stopper], purpose: 'whatsapp_marketing', source: 'whatsapp-reply' });
    expect(revocation.value).not.toHaveProperty('phone');
    expect(JSON.stringify(revocation)).not.toContain(stopper.slice(3));

    // Profiles applies it (the snapshot scoring reads), then the business launches its next campaign.
    await snapshots.waitFor(
      (s) => s.personId === ids[stopper] && !s.consents.whatsappMarketing.includes(businessId) && s.activity.totalEvents >= 1,
      60_000,
    );
    await send(Topic.CampaignsV1, `${businessId}-2`, { ...campaign(2), startsAt: new Date().toISOString() });
    await eventually(
      'the second campaign to reach the person who stayed',
      async () => ((await templatesTo(control)).length === 2 ? true : undefined),
      90_000,
    );
    expect(await templatesTo(stopper)).toHaveLength(1);
  });
});
