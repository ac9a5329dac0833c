import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { type PrivacyRequestV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { type ContactSealer } from '@wt/identity';
import {
  eventually,
  randomFrenchMobile,
  sendDecision,
  testBrokers,
  testDatabaseUrl,
  TestProducer,
  testServiceUrl,
  testVaultEnv,
  TopicProbe,
} from '@wt/testing';
import { contactSealerOf, keyVaultOf, vaultDataSource } from '@wt/vault';
import { randomInt, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';

/**
 * Crypto-shredding (issue 3, point 3) through the running services: ingest seals a person's number
 * under their own key; the sealed bytes read back from a Kafka topic and from the profiles database
 * open. After an erasure request the very same bytes no longer open anywhere (the key is gone), and
 * a decision carrying them is not sent, while another person's still is.
 */
describe('crypto-shredding: erasing a person deletes their key, and every copy of their number stops opening', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const phoneNumberId = `7${randomInt(1e9, 9e9)}`;
  const erased = randomFrenchMobile().e164;
  const kept = randomFrenchMobile().e164;
  let producer: TestProducer;
  let vaultDb: DataSource;
  let profilesDb: Client;
  let normalized: TopicProbe<Topic.EngagementNormalizedV1>;
  let erasures: TopicProbe<Topic.PrivacyErasuresV1>;
  let statuses: TopicProbe<Topic.WhatsappMessageStatusV1>;

  /** A sealer of our own (what any service holds), over the test stack's vault; `fresh` skips its cache. */
  function sealer(): ContactSealer {
    const config = loadConfig(class extends withKeyVault(ServiceEnv) {}, { ...testVaultEnv() });
    return contactSealerOf(keyVaultOf(vaultDb, config), config);
  }

  async function ingest(e164: string, n: number): Promise<string> {
    const response = await fetch(`${testServiceUrl('ingest')}/v1/engagement-events`, {
      method: 'POST',
      // Instagram's producer key, issued by the global setup as an operator does.
      headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env['WT_TEST_INGEST_PRODUCER_KEY']}` },
      body: JSON.stringify({
        events: [
          {
            eventId: `shred-${run}-${n}`,
            source: 'instagram',
            type: 'like',
            phone: e164,
            occurredAt: new Date().toISOString(),
            categories: ['hiking'],
            businessId: `shred-${run}`,
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: { status: string; personId: string }[] };
    expect(body.results[0]?.status).toBe('accepted');
    return body.results[0]?.personId as string;
  }

  function decision(personId: string, contact: string, label: string): TargetingDecisionV1 {
    return sendDecision({
      decisionId: `shred-${run}-${label}`,
      campaignId: `shred-${run}`,
      businessId: `shred-${run}`,
      personId,
      phoneNumberId,
      contact,
    });
  }

  beforeAll(async () => {
    producer = await TestProducer.connect('e2e-shred', brokers);
    vaultDb = vaultDataSource({ ...loadConfig(class extends withKeyVault(ServiceEnv) {}, { ...testVaultEnv() }) }, 'e2e-shred');
    await vaultDb.initialize();
    profilesDb = new Client({ connectionString: testDatabaseUrl('profiles') });
    await profilesDb.connect();
    [normalized, erasures, statuses] = await Promise.all([
      TopicProbe.start(brokers, Topic.EngagementNormalizedV1),
      TopicProbe.start(brokers, Topic.PrivacyErasuresV1),
      TopicProbe.start(brokers, Topic.WhatsappMessageStatusV1),
    ]);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await Promise.all([normalized, erasures, statuses].map((p) => p?.stop()));
    await profilesDb?.end();
    await vaultDb?.destroy();
  });

  it('opens before the erasure; after it, the same bytes from Kafka and from Postgres do not, and the send is suppressed', async () => {
    const personId = await ingest(erased, 1);
    const keptId = await ingest(kept, 2);

    // The sealed number as it travels (Kafka) and as it rests (the profiles database).
    const onKafka = (await normalized.waitFor((e) => e.personId === personId)).value.contact;
    const keptOnKafka = (await normalized.waitFor((e) => e.personId === keptId)).value.contact;
    expect(onKafka).toMatch(new RegExp(`^v2\\.${personId}\\.\\d+\\.`));
    expect(onKafka).not.toContain(erased.slice(3));
    const inPostgres = await eventually('the profile to hold the sealed number', async () => {
      const { rows } = await profilesDb.query<{ contact: string | null }>(`SELECT contact FROM person_profile WHERE person_id = $1`, [
        personId,
      ]);
      return rows[0]?.contact ?? undefined;
    });
    expect(await sealer().openAll([onKafka, inPostgres], { fresh: true })).toEqual([
      { ok: true, e164: erased },
      { ok: true, e164: erased },
    ]);

    // The erasure request, as a person's or the business's request arrives.
    const request: PrivacyRequestV1 = { requestId: `shred-${run}`, phone: erased, type: 'erasure', requestedAt: new Date().toISOString() };
    await producer.publish(Topic.PrivacyRequestsV1, [{ key: request.requestId, value: request }]);
    await erasures.waitFor((e) => e.personId === personId, 60_000);
    // Profiles announces the erasure, then deletes the keys (in the same transaction's callback): poll.
    await eventually('the person’s keys to be deleted', async () => {
      const keys = (await vaultDb.query(`SELECT count(*)::int AS n FROM person_key WHERE person_id = $1`, [personId])) as { n: number }[];
      return keys[0]?.n === 0 ? true : undefined;
    });

    // The same bytes, from wherever they were copied, no longer open (a new sealer, as any service's).
    expect(await sealer().openAll([onKafka, inPostgres])).toEqual([
      { ok: false, reason: 'erased' },
      { ok: false, reason: 'erased' },
    ]);
    expect(await sealer().open(keptOnKafka, { fresh: true })).toEqual({ ok: true, e164: kept });

    // A decision made before the erasure (carrying the old bytes) reaches the dispatcher: not sent.
    await producer.publish(
      Topic.TargetingDecisionsV1,
      [decision(personId, onKafka, 'erased'), decision(keptId, keptOnKafka, 'kept')].map((d) => ({ key: d.personId, value: d })),
    );
    const refused = await statuses.waitFor((s) => s.decisionId === `shred-${run}-erased`, 60_000);
    expect(refused.value).toMatchObject({ status: 'rejected', personId });
    expect(refused.value.errorTitle).toMatch(/erased/i);
    await statuses.waitFor((s) => s.decisionId === `shred-${run}-kept` && s.status === 'accepted', 60_000);
    const sandbox = (await (
      await fetch(`${testServiceUrl('whatsapp-sandbox')}/sandbox/messages?phoneNumberId=${phoneNumberId}`)
    ).json()) as { waId: string }[];
    expect(sandbox.map((m) => m.waId)).toEqual([kept.slice(1)]);
  });
});
