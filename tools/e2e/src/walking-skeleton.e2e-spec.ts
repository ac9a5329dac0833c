import { type CampaignV1, type ConsentEventV1, type EngagementEventV1, Topic } from '@wt/contracts';
import { eventually, randomFrenchMobile, testBrokers, testServiceUrl, TopicProbe } from '@wt/testing';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';

/**
 * The walking skeleton, through the running services only: an engagement event and a consent on
 * the public topics, a campaign on campaigns.v1; out come a decision, a template message at the
 * WhatsApp sandbox, and its signed status webhooks as message statuses.
 */
describe('walking skeleton: engagement event to delivered WhatsApp message', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const businessId = `e2e-${run}`;
  const phoneNumberId = `9${randomInt(1e9, 9e9)}`;
  // A valid French mobile number, unique per run, written in national form with a country hint.
  const mobile = randomFrenchMobile();
  const national = mobile.national.replace(/(\d\d)(?=\d)/g, '$1 ');
  const e164 = `+33${national.replace(/\D/g, '').slice(1)}`;
  const digits = e164.slice(1);
  let producer: Producer;
  const probes: TopicProbe<Topic>[] = [];

  const campaign: CampaignV1 = {
    campaignId: `spring-${run}`,
    businessId,
    name: 'Spring collection',
    status: 'active',
    phoneNumberId,
    template: { name: 'spring_collection', language: 'en_US', bodyParameters: [{ from: 'profile', value: 'topInterest' }] },
    targetCategories: ['trail-running'],
    // Relevance is not what this test is about: the model's exploration (Thompson draws) makes a score near
    // a threshold random, so every eligible person is relevant here.
    minRelevance: 0,
    budgetMessages: 10,
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    updatedAt: new Date().toISOString(),
  };

  async function send(topic: Topic, key: string | null, value: unknown, headers?: Record<string, string>): Promise<void> {
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key, value: typeof value === 'string' ? value : JSON.stringify(value), headers }],
    });
  }

  async function scoringGauge(): Promise<number> {
    const text = await (await fetch(`${testServiceUrl('scoring')}/metrics`)).text();
    return Number(/^wt_campaigns_running(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  }

  beforeAll(async () => {
    producer = new Kafka({ brokers, clientId: 'e2e', logLevel: logLevel.ERROR }).producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await send(Topic.CampaignsV1, campaign.campaignId, { ...campaign, status: 'ended', updatedAt: new Date().toISOString() });
    await producer.disconnect();
    await Promise.all(probes.map((p) => p.stop()));
  });

  it('sends one template message to an opted-in, interested person and reports its statuses', async () => {
    const decisions = await TopicProbe.start(brokers, Topic.TargetingDecisionsV1);
    const statuses = await TopicProbe.start(brokers, Topic.WhatsappMessageStatusV1);
    const snapshots = await TopicProbe.start(brokers, Topic.ProfileSnapshotsV1);
    const normalized = await TopicProbe.start(brokers, Topic.EngagementNormalizedV1);
    probes.push(decisions, statuses, snapshots, normalized);

    const running = await scoringGauge();
    await send(Topic.CampaignsV1, campaign.campaignId, campaign);
    await eventually('scoring to know the campaign', async () => ((await scoringGauge()) > running ? true : undefined));

    const consent: ConsentEventV1 = {
      phone: national,
      country: 'FR',
      purpose: 'whatsapp_marketing',
      businessId,
      status: 'granted',
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      source: 'e2e',
    };
    // Producers may key by the phone number; the platform never does. The producer's W3C trace
    // context travels through every hop: same trace id, a new span id per hop. The producer sends the
    // opt-in and the event in one trace, so whichever of them triggers the send, the decision continues it.
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    await send(Topic.ConsentV1, null, consent, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    const engagement: EngagementEventV1 = {
      eventId: `evt-${run}`,
      source: 'instagram',
      type: 'purchase',
      phone: e164,
      occurredAt: new Date().toISOString(),
      categories: ['trail-running'],
      businessId,
      value: 89.9,
      currency: 'EUR',
    };
    await send(Topic.SocialEngagementV1, e164, engagement, { traceparent });

    const decision = await decisions.waitFor((d) => d.campaignId === campaign.campaignId && d.outcome === 'send');
    expect(decision.value.reason).toBe('relevant');
    // Every decision carries its explanation: the factors that moved the score (which ones lead depends on
    // what the model has learned by then, so the test asserts their presence, not their order).
    expect(decision.value.explanation.factors.length).toBeGreaterThan(0);
    for (const factor of decision.value.explanation.factors) expect(factor).toEqual(expect.objectContaining({ name: expect.any(String) }));
    expect(decision.value.explanation.summary.length).toBeGreaterThan(0);
    expect(decision.key).toMatch(/^[0-9a-f]{64}$/);
    const hops = [
      (await normalized.waitFor((e) => e.dedupeKey === `instagram:evt-${run}`)).headers.traceparent,
      (await snapshots.waitFor((s) => s.personId === decision.value.personId && s.activity.totalEvents === 1)).headers.traceparent,
      decision.headers.traceparent,
    ];
    for (const hop of hops) expect(hop).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(new Set([traceparent, ...hops]).size).toBe(4);

    const sandbox = testServiceUrl('whatsapp-sandbox');
    const messages = await eventually('the sandbox to receive the message', async () => {
      const list = (await (await fetch(`${sandbox}/sandbox/messages?phoneNumberId=${phoneNumberId}`)).json()) as {
        templateName: string;
        bizOpaqueCallbackData: string;
        waId: string;
      }[];
      return list.length > 0 ? list : undefined;
    });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      templateName: 'spring_collection',
      bizOpaqueCallbackData: decision.value.decisionId,
      waId: digits,
    });

    const accepted = await statuses.waitFor((s) => s.decisionId === decision.value.decisionId && s.status === 'accepted');
    const delivered = await statuses.waitFor((s) => s.decisionId === decision.value.decisionId && s.status === 'delivered');
    expect(accepted.value.reportedBy).toBe('dispatcher');
    expect(delivered.value).toMatchObject({
      reportedBy: 'webhook',
      businessId,
      campaignId: campaign.campaignId,
      wamid: accepted.value.wamid,
    });
    // The statuses, sent from the dispatcher's ledger and from the webhook, continue the decision's trace.
    for (const status of [accepted, delivered]) expect(status.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    // No phone number in clear in any key or payload the platform wrote.
    for (const probe of [decisions, statuses, snapshots, normalized]) {
      for (const record of probe.records) {
        expect(record.key ?? '').not.toContain(digits.slice(2));
        expect(JSON.stringify(record.value)).not.toContain(digits.slice(2));
      }
    }

    // A replayed event changes nothing and sends nothing more: after the replay and a new
    // marker event, the profile counts two events (the purchase and the marker), not three.
    await send(Topic.SocialEngagementV1, null, engagement);
    const marker: EngagementEventV1 = {
      ...engagement,
      eventId: `marker-${run}`,
      type: 'view',
      categories: [],
      occurredAt: new Date(Date.parse(engagement.occurredAt) + 1000).toISOString(),
    };
    await send(Topic.SocialEngagementV1, null, marker);
    await normalized.waitFor((e) => e.dedupeKey === `instagram:marker-${run}`);
    const latest = await snapshots.waitFor(
      (s) => s.personId === decision.value.personId && s.activity.lastSeenAt === new Date(marker.occurredAt).toISOString(),
    );
    expect(latest.value.activity.totalEvents).toBe(2);
    const after = (await (await fetch(`${sandbox}/sandbox/messages?phoneNumberId=${phoneNumberId}`)).json()) as unknown[];
    expect(after).toHaveLength(1);
  });

  it('dead-letters an event with an invalid number, with the reason, and keeps flowing', async () => {
    const dlq = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    probes.push(dlq);
    const bad: EngagementEventV1 = {
      eventId: `bad-${run}`,
      source: 'facebook',
      type: 'like',
      phone: '+33 1',
      occurredAt: new Date().toISOString(),
      categories: [],
    };
    await send(Topic.SocialEngagementV1, null, bad);
    const letter = await dlq.waitFor(
      // The original is sealed in the dead letter; its SHA-256 says which record it was.
      (d) => d.service === 'ingest' && d.payloadSha256 === createHash('sha256').update(JSON.stringify(bad)).digest('hex'),
    );
    expect(letter.value).toMatchObject({ reason: 'invalid_phone', originTopic: Topic.SocialEngagementV1 });
    expect(letter.value.detail).toMatch(/^phone: /);
  });
});
