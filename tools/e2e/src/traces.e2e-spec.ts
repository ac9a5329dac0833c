import { type CampaignV1, type ConsentEventV1, Topic } from '@wt/contracts';
import { eventually, OtlpReceiver, randomFrenchMobile, type ReceivedSpan, testBrokers, testServiceUrl, TopicProbe } from '@wt/testing';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/**
 * Traces that arrive: the services of the test profile export their spans over OTLP/HTTP
 * (OTEL_EXPORTER_OTLP_ENDPOINT, see tools/stack/services.mjs) to the receiver this test runs, as
 * they would to Jaeger or Tempo. One event, posted to ingest's HTTP door inside a trace of ours,
 * must come back as one chain of parent spans from the status the webhook reported down to
 * ingest's HTTP request: every Kafka hop a `send` span and a `process` span of the next service.
 */
describe('traces: one event from ingest to the status webhook, as spans received over OTLP', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  // The business of ingest's business key (issued by the global setup): its consents come over HTTP.
  const businessId = process.env['WT_TEST_INGEST_BUSINESS'] ?? '';
  const phoneNumberId = `8${randomInt(1e9, 9e9)}`;
  const mobile = randomFrenchMobile();
  const e164 = `+33${mobile.national.replace(/\D/g, '').slice(1)}`;
  let receiver: OtlpReceiver;
  let producer: Producer;
  const probes: TopicProbe<Topic>[] = [];

  const campaign: CampaignV1 = {
    campaignId: `traced-${run}`,
    businessId,
    name: 'Traced campaign',
    status: 'active',
    phoneNumberId,
    template: { name: 'traced', language: 'en_US', bodyParameters: [] },
    targetCategories: ['climbing'],
    // Relevance is not what this test is about (see the walking skeleton).
    minRelevance: 0,
    budgetMessages: 10,
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    updatedAt: new Date().toISOString(),
  };

  beforeAll(async () => {
    receiver = await OtlpReceiver.start(Number(process.env['WT_TEST_OTLP_PORT']));
    producer = new Kafka({ brokers, clientId: 'e2e-traces', logLevel: logLevel.ERROR }).producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.send({
      topic: Topic.CampaignsV1,
      messages: [
        { key: campaign.campaignId, value: JSON.stringify({ ...campaign, status: 'ended', updatedAt: new Date().toISOString() }) },
      ],
    });
    await producer.disconnect();
    await Promise.all(probes.map((p) => p.stop()));
    await receiver.stop();
  });

  it('chains the status span to ingest through every hop, each service exporting its own spans', async () => {
    const statuses = await TopicProbe.start(brokers, Topic.WhatsappMessageStatusV1);
    const decisions = await TopicProbe.start(brokers, Topic.TargetingDecisionsV1);
    probes.push(statuses, decisions);
    await producer.send({ topic: Topic.CampaignsV1, messages: [{ key: campaign.campaignId, value: JSON.stringify(campaign) }] });

    // One trace of ours: the consent and the event, both posted to ingest's HTTP doors, continue it
    // (whichever of them triggers the send, its chain starts at an ingest request).
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = () => randomBytes(8).toString('hex');
    const consentSpan = callerSpan();
    const consent: ConsentEventV1 = {
      phone: e164,
      purpose: 'whatsapp_marketing',
      businessId,
      status: 'granted',
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      source: 'e2e-traces',
    };
    const consented = await fetch(`${testServiceUrl('ingest')}/v1/consents`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${process.env['WT_TEST_INGEST_BUSINESS_KEY']}`,
        traceparent: `00-${traceId}-${consentSpan}-01`,
      },
      body: JSON.stringify({ consents: [consent] }),
    });
    expect(consented.status).toBe(200);
    const eventSpan = callerSpan();
    const response = await fetch(`${testServiceUrl('ingest')}/v1/engagement-events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${process.env['WT_TEST_INGEST_PRODUCER_KEY']}`,
        traceparent: `00-${traceId}-${eventSpan}-01`,
      },
      body: JSON.stringify({
        events: [
          {
            eventId: `traced-${run}`,
            source: 'instagram',
            type: 'purchase',
            phone: e164,
            occurredAt: new Date().toISOString(),
            categories: ['climbing'],
            businessId,
            value: 42,
            currency: 'EUR',
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    // Ingest answers with its request's span: the server span of the HTTP instrumentation, in our trace.
    expect(response.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const decision = await decisions.waitFor((d) => d.campaignId === campaign.campaignId && d.outcome === 'send', 90_000);
    const delivered = await statuses.waitFor((s) => s.decisionId === decision.value.decisionId && s.status === 'delivered', 90_000);
    const statusSpanId = delivered.headers.traceparent?.split('-')[2];
    expect(delivered.headers.traceparent?.split('-')[1]).toBe(traceId);

    // The spans arrive within a second or two (each service exports in batches every second).
    const chain = await eventually(
      'the chain from the delivered status to ingest',
      async () => {
        const statusSpan = receiver.trace(traceId).find((span) => span.spanId === statusSpanId);
        if (!statusSpan) return undefined;
        const ancestry = receiver.ancestry(statusSpan);
        const root = ancestry.at(-1) as ReceivedSpan;
        // Complete once the root is ingest's, the child of one of our caller spans (not received: ours).
        return root.service === 'ingest' ? ancestry : undefined;
      },
      60_000,
    );
    const hops = chain.map((span) => `${span.service}: ${span.name}`);
    // Nearest first: the status the webhook published, down to ingest.
    expect(chain[0]).toMatchObject({ service: 'dispatcher', name: `send ${Topic.WhatsappMessageStatusV1}`, kind: 4 });
    const expectedOrder = [
      `dispatcher: send ${Topic.WhatsappMessageStatusV1}`,
      `dispatcher: process ${Topic.TargetingDecisionsV1}`,
      `scoring: send ${Topic.TargetingDecisionsV1}`,
      `scoring: process ${Topic.ProfileSnapshotsV1}`,
      `profiles: send ${Topic.ProfileSnapshotsV1}`,
    ];
    let at = -1;
    for (const hop of expectedOrder) {
      const found = hops.indexOf(hop, at + 1);
      expect({ hop, found: found > at }).toEqual({ hop, found: true });
      at = found;
    }
    // Below profiles: ingest's normalized record, from the HTTP request (the event) or the consent's record.
    const ingestPart = chain.filter((span) => span.service === 'ingest');
    expect(ingestPart.map((span) => span.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^send internal\.(engagement|consent)\.normalized\.v1$/)]),
    );
    // The root: ingest's HTTP server span (the instrumentation's), child of the caller's span.
    const root = chain.at(-1) as ReceivedSpan;
    expect(root).toMatchObject({ service: 'ingest', kind: 2 });
    expect(root.name).toMatch(/^POST \/v1\/(consents|engagement-events)$/);
    expect([consentSpan, eventSpan]).toContain(root.parentSpanId);

    // Postgres spans: the services' queries inside the trace (e.g. the dispatcher's ledger, profiles' upserts).
    const services = new Set(receiver.trace(traceId).map((span) => span.service));
    expect([...services].sort()).toEqual(expect.arrayContaining(['dispatcher', 'ingest', 'profiles', 'scoring']));
    const dbSpans = receiver.spans.filter(
      (span) => span.attributes['db.system.name'] === 'postgresql' || span.attributes['db.system'] === 'postgresql',
    );
    expect(dbSpans.length).toBeGreaterThan(0);
    // No span carries a phone number (attributes or names).
    expect(JSON.stringify(receiver.spans)).not.toContain(e164.slice(3));
  });
});
