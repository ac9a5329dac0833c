import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { type ConsentEventV1, type EngagementEventV1, TOPIC_SPECS, Topic } from '@wt/contracts';
import { type ContactSealer, Pseudonymizer } from '@wt/identity';
import { ensureTopics } from '@wt/kafka';
import { childLogDir, freePort, stopChild, testBrokers, testDatabaseUrl, testVaultEnv, TopicProbe, waitUntilReady } from '@wt/testing';
import { contactSealerOf, keyVaultOf, PostgresPersonIdentifiers, vaultDataSource } from '@wt/vault';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { issueKey, ROOT } from '../testing/ingest-child';

/**
 * Issue 17, point 2, at ingest: events that name their person by a WhatsApp business-scoped user id
 * (BSUID), alone or with a number, through both doors of the built service on the real broker and
 * the real key vault. They reach the person the dispatcher's identifier links name, a pair links
 * the BSUID and merges a BSUID-only person into the number's (`internal.identity.merges.v1`), a
 * number a person moved to is followed, and no BSUID is in clear in a key, a value or a log line.
 */
describe('ingest follows the identifier links: business-scoped user ids and moved numbers', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const logFile = path.join(childLogDir(), `ingest-person-links-${run}.log`);
  const secrets = { PSEUDONYM_SECRET: randomBytes(32).toString('hex'), ...testVaultEnv() };
  const pseudonymizer = new Pseudonymizer(secrets.PSEUDONYM_SECRET);
  const bsuids: string[] = [];
  const bsuid = () => {
    const id = `FR.${run}${randomInt(1e9, 9e9)}`;
    bsuids.push(id);
    return id;
  };
  const e164 = () => `+3361${randomInt(1_000_000, 9_999_999)}`;
  let port: number;
  let child: ChildProcess | undefined;
  let producer: Producer;
  let vaultDb: DataSource;
  let identifiers: PostgresPersonIdentifiers;
  let sealer: ContactSealer;
  let apiKey: string;
  /** The key of business `acme-<run>`: consents are asserted by the business they are for. */
  let businessKey: string;
  const acme = `acme-${run}`;
  let engagements: TopicProbe<Topic.EngagementNormalizedV1>;
  let consents: TopicProbe<Topic.ConsentNormalizedV1>;
  let merges: TopicProbe<Topic.IdentityMergesV1>;

  const event = (id: string, names: { phone?: string; bsuid?: string }): EngagementEventV1 => ({
    eventId: `${run}-${id}`,
    source: 'instagram',
    type: 'like',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    categories: ['trail-running'],
    businessId: 'acme',
    ...names,
  });

  /** Through the Kafka door (`social.engagement.v1`). */
  async function produce(e: EngagementEventV1): Promise<void> {
    await producer.send({ topic: Topic.SocialEngagementV1, messages: [{ key: e.eventId, value: JSON.stringify(e) }] });
  }

  /** Through the HTTP door. */
  async function post(route: '/v1/engagement-events' | '/v1/consents', body: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`http://127.0.0.1:${port}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${route === '/v1/consents' ? businessKey : apiKey}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  }

  const published = async (e: EngagementEventV1) => engagements.waitFor((n) => n.dedupeKey === `instagram:${e.eventId}`);

  /** A link as the dispatcher writes it from a webhook: the identifier's digest, sealed under its person's key. */
  async function linkAsTheDispatcher(kind: 'bsuid' | 'phone', value: string, personId: string): Promise<void> {
    const [sealed] = await sealer.sealAll([{ personId, e164: value }]);
    await identifiers.link([{ digest: pseudonymizer.identifierDigest(kind, value), kind, personId, sealed: sealed as string }]);
  }

  beforeAll(async () => {
    for (const project of ['apps/ingest', 'tools/cli']) {
      execFileSync(process.execPath, [path.join(ROOT, 'tools/build/swc-build.mjs'), project], { cwd: ROOT, stdio: 'ignore' });
    }
    const kafka = new Kafka({ brokers, clientId: 'ingest-person-links-it', logLevel: logLevel.ERROR });
    await ensureTopics(kafka, [TOPIC_SPECS[Topic.IdentityMergesV1]]);
    const vaultEnv = loadConfig(class extends withKeyVault(ServiceEnv) {}, { ...testVaultEnv() });
    vaultDb = vaultDataSource(vaultEnv, 'it-ingest-person-links');
    await vaultDb.initialize();
    identifiers = new PostgresPersonIdentifiers(vaultDb);
    sealer = contactSealerOf(keyVaultOf(vaultDb, vaultEnv), vaultEnv);
    apiKey = (await issueKey('issue-producer', 'instagram')).apiKey;
    businessKey = (await issueKey('issue', acme)).apiKey;
    [engagements, consents, merges] = await Promise.all([
      TopicProbe.start(brokers, Topic.EngagementNormalizedV1),
      TopicProbe.start(brokers, Topic.ConsentNormalizedV1),
      TopicProbe.start(brokers, Topic.IdentityMergesV1),
    ]);
    producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    port = await freePort();
    const out = fs.openSync(logFile, 'a');
    child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/ingest/src/main.js')], {
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'test',
        LOG_LEVEL: 'debug',
        PORT: String(port),
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_GROUP_PREFIX: `it-ingest-links-${run}`,
        DATABASE_URL: testDatabaseUrl('ingest'),
        ...secrets,
      },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    await waitUntilReady('ingest', child, `http://127.0.0.1:${port}`, logFile);
  }, 120_000);

  afterAll(async () => {
    await stopChild(child, 'SIGTERM', 20_000);
    await producer?.disconnect();
    await Promise.all([engagements, consents, merges].map((p) => p?.stop()));
    await vaultDb?.destroy();
  }, 60_000);

  it("resolves an event carrying only a BSUID to the number's person the dispatcher linked it to, sealing the BSUID as its contact", async () => {
    const number = e164();
    const id = bsuid();
    const person = pseudonymizer.personId(number);
    await linkAsTheDispatcher('bsuid', id, person);

    const viaKafka = event('linked-kafka', { bsuid: id });
    await produce(viaKafka);
    const viaHttp = event('linked-http', { bsuid: id });
    expect((await post('/v1/engagement-events', { events: [viaHttp] })).status).toBe(200);

    for (const e of [viaKafka, viaHttp]) {
      const record = await published(e);
      expect(record.key).toBe(person);
      expect(record.value.personId).toBe(person);
      // Sealed under the person's key; it opens to the BSUID (the address to send to where no number is known).
      expect(record.value.contact).toMatch(new RegExp(`^v2\\.${person}\\.`));
      expect(await sealer.open(record.value.contact)).toEqual({ ok: true, e164: id });
      expect(record.value.country).toBe('FR');
    }
  });

  it("names a new person by an unknown BSUID, then merges them into the number's person when an event carries both", async () => {
    const number = e164();
    const id = bsuid();
    const alone = pseudonymizer.personIdOfBusinessScopedUser(id);
    const person = pseudonymizer.personId(number);

    const first = event('new-alone', { bsuid: id });
    await produce(first);
    expect((await published(first)).value.personId).toBe(alone);
    // Linked in the vault, so the dispatcher finds the same person when a webhook carries this BSUID.
    expect(
      (await identifiers.resolve([pseudonymizer.identifierDigest('bsuid', id)])).get(pseudonymizer.identifierDigest('bsuid', id)),
    ).toBe(alone);

    const both = event('new-both', { phone: number, bsuid: id });
    expect((await post('/v1/engagement-events', { events: [both] })).status).toBe(200);
    const pair = await published(both);
    expect(pair.value.personId).toBe(person);
    expect(await sealer.open(pair.value.contact)).toEqual({ ok: true, e164: number });
    const merge = await merges.waitFor((m) => m.fromPersonId === alone);
    expect(merge.key).toBe(person);
    expect(merge.value).toMatchObject({ fromPersonId: alone, intoPersonId: person, via: 'bsuid' });

    // From now on the BSUID alone names the number's person, through either door, and a revocation by it too.
    const after = event('new-after', { bsuid: id });
    await produce(after);
    expect((await published(after)).value.personId).toBe(person);
    const revocation: ConsentEventV1 = {
      bsuid: id,
      purpose: 'whatsapp_marketing',
      businessId: acme,
      status: 'revoked',
      occurredAt: new Date(Date.now() - 1_000).toISOString(),
      source: 'user-preferences',
    };
    const { status, json } = await post('/v1/consents', { consents: [revocation] });
    expect(json).toMatchObject({ accepted: 1 });
    expect(status).toBe(200);
    const consent = await consents.waitFor((c) => c.occurredAt === revocation.occurredAt && c.personId === person);
    expect(consent.key).toBe(person);
  });

  it('keeps a BSUID WhatsApp linked to one number when a business event pairs it with another: the event is that number’s, no merge', async () => {
    const [a, b] = [e164(), e164()];
    const id = bsuid();
    await linkAsTheDispatcher('bsuid', id, pseudonymizer.personId(a));
    const claim = event('conflict', { phone: b, bsuid: id });
    await produce(claim);
    expect((await published(claim)).value.personId).toBe(pseudonymizer.personId(b));
    const digest = pseudonymizer.identifierDigest('bsuid', id);
    expect((await identifiers.resolve([digest])).get(digest)).toBe(pseudonymizer.personId(a));
    expect(merges.records.some((m) => m.value.intoPersonId === pseudonymizer.personId(b))).toBe(false);
  });

  it('follows a number the person moved to (the link a `user_changed_number` webhook writes)', async () => {
    const [old, moved] = [e164(), e164()];
    await linkAsTheDispatcher('phone', moved, pseudonymizer.personId(old));
    const e = event('moved', { phone: moved });
    await produce(e);
    const record = await published(e);
    expect(record.value.personId).toBe(pseudonymizer.personId(old));
    expect(await sealer.open(record.value.contact)).toEqual({ ok: true, e164: moved });
  });

  it('refuses an event naming nobody, and wrote no BSUID in clear in a key, a value or its logs', async () => {
    const { status, json } = await post('/v1/engagement-events', { events: [event('nobody', {})] });
    expect(status).toBe(200);
    expect(json).toMatchObject({ accepted: 0, rejected: 1 });
    const everything = [engagements, consents, merges].flatMap((p) => p.records.map((r) => `${r.key} ${JSON.stringify(r.value)}`));
    const log = fs.readFileSync(logFile, 'utf8');
    expect(bsuids.length).toBeGreaterThanOrEqual(3);
    for (const id of bsuids) {
      expect(everything.filter((line) => line.includes(id))).toEqual([]);
      expect(log.includes(id)).toBe(false);
    }
  });
});
