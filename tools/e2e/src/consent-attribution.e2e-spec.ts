import { type ConsentEventV1, type PrivacyRequestV1, Topic } from '@wt/contracts';
import { eventually, randomFrenchMobile, testBrokers, testDatabaseUrl, testServiceUrl, TopicProbe } from '@wt/testing';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

interface LedgerRow {
  purpose: string;
  business_id: string;
  source: string;
  asserted_via: string | null;
  asserted_by: string | null;
  asserted_key_id: string | null;
}

/**
 * Issue 15, point 6, through the running services: a consent is taken over HTTP only with a
 * business key and only for that key's business, and every grant, whichever door it came through,
 * reaches profiles' consent ledger and the person's privacy export with who asserted it and how.
 * The keys are issued by the global setup as an operator does (`ingest api-key issue`).
 */
describe('consent attribution: HTTP and Kafka doors to the ledger and the export', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const businessId = process.env['WT_TEST_INGEST_BUSINESS'] ?? '';
  const businessKey = process.env['WT_TEST_INGEST_BUSINESS_KEY'] ?? '';
  const person = randomFrenchMobile();
  let producer: Producer;
  let profilesDb: Client;
  let exports: TopicProbe<Topic.PrivacyExportsV1>;

  const consent = (overrides: Partial<ConsentEventV1> = {}): ConsentEventV1 => ({
    phone: person.e164,
    purpose: 'whatsapp_marketing',
    businessId,
    status: 'granted',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    source: 'web-form',
    ...overrides,
  });

  const postConsents = (consents: unknown[], headers: Record<string, string>) =>
    fetch(`${testServiceUrl('ingest')}/v1/consents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ consents }),
    });

  beforeAll(async () => {
    producer = new Kafka({ brokers, clientId: 'e2e-attribution', logLevel: logLevel.ERROR }).producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    profilesDb = new Client({ connectionString: testDatabaseUrl('profiles') });
    await profilesDb.connect();
    exports = await TopicProbe.start(brokers, Topic.PrivacyExportsV1);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await profilesDb?.end();
    await exports?.stop();
  });

  it('refuses a consent without a key (401) and for another business (403)', async () => {
    const anonymous = await postConsents([consent({ source: `forged-${run}` })], {});
    expect(anonymous.status).toBe(401);
    const other = await postConsents([consent({ businessId: `someone-else-${run}`, source: `forged-${run}` })], {
      authorization: `Bearer ${businessKey}`,
    });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { message: string }).message).toMatch(/is for business "someone-else-/);
  });

  it('stores who asserted each grant in the ledger and shows it in the export', async () => {
    const answer = await postConsents([consent({ assertedVia: 'assistant', assertedBy: 'not-me' })], {
      authorization: `Bearer ${businessKey}`,
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { results: { status: string; personId: string }[] };
    expect(body.results[0]?.status).toBe('accepted');
    const personId = body.results[0]?.personId;
    // The same person grants cross-app profiling through the Kafka door, declaring nothing.
    await producer.send({
      topic: Topic.ConsentV1,
      acks: -1,
      messages: [{ key: null, value: JSON.stringify(consent({ purpose: 'cross_app_profiling', businessId: undefined, source: 'store' })) }],
    });

    const rows = await eventually(
      'both grants in the consent ledger',
      async () => {
        const { rows } = await profilesDb.query<LedgerRow>(
          `SELECT purpose, business_id, source, asserted_via, asserted_by, asserted_key_id FROM consent_ledger WHERE person_id = $1 ORDER BY purpose`,
          [personId],
        );
        return rows.length >= 2 ? rows : undefined;
      },
      60_000,
    );
    const keyId = /^wtk_([^.]+)\./.exec(businessKey)?.[1];
    expect(rows).toEqual([
      {
        purpose: 'cross_app_profiling',
        business_id: '',
        source: 'store',
        asserted_via: 'kafka_producer',
        asserted_by: 'unidentified',
        asserted_key_id: null,
      },
      {
        purpose: 'whatsapp_marketing',
        business_id: businessId,
        source: 'web-form',
        asserted_via: 'http_api',
        asserted_by: businessId,
        asserted_key_id: keyId,
      },
    ]);
    // The refused requests of the test above left nothing.
    const { rows: forged } = await profilesDb.query(`SELECT 1 FROM consent_ledger WHERE source = $1`, [`forged-${run}`]);
    expect(forged).toEqual([]);

    const request: PrivacyRequestV1 = {
      requestId: `attribution-${run}`,
      phone: person.e164,
      type: 'export',
      requestedAt: new Date().toISOString(),
    };
    await producer.send({
      topic: Topic.PrivacyRequestsV1,
      acks: -1,
      messages: [{ key: request.requestId, value: JSON.stringify(request) }],
    });
    // Profiles' part of the export (the assistant answers it with its own under the same requestId).
    const exported = await exports.waitFor((e) => e.requestId === request.requestId && e.source === 'profiles', 60_000);
    expect(exported.value.data['consentLedger']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          purpose: 'whatsapp_marketing',
          asserted_via: 'http_api',
          asserted_by: businessId,
          asserted_key_id: keyId,
        }),
        expect.objectContaining({ purpose: 'cross_app_profiling', asserted_via: 'kafka_producer', asserted_by: 'unidentified' }),
      ]),
    );
  });
});
