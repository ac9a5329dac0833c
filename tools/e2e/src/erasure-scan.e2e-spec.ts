import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { type CampaignV1, Topic } from '@wt/contracts';
import { eventually, randomFrenchMobile, testBrokers, TestProducer, testServiceUrl, testVaultEnv, TopicProbe } from '@wt/testing';
import { contactSealerOf, keyVaultOf, vaultDataSource } from '@wt/vault';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { randomInt, randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { e2eCampaign, ended, IngestDoors } from './e2e-fixtures';

/** Sealed values as the platform writes them (see SEALED_CONTACT), anywhere in a text. */
const SEALED =
  /v2\.[0-9a-f]{64}\.[1-9][0-9]{0,18}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+/g;
/** A JSON string that may be base64 of something (a dead letter's payload). */
const BASE64 = /^[A-Za-z0-9+/]{12,}={0,2}$/;

interface Finding {
  topic: string;
  partition: number;
  offset: string;
  where: string;
  form: string;
  /** A dead letter's origin and service, e.g. `http:ingest`. */
  origin?: string;
}

interface Scan {
  topics: string[];
  records: number;
  findings: Finding[];
  /** Each sealed value found, with the topics it was found on. */
  sealed: Map<string, Set<string>>;
}

/** Every text inside a record part: the bytes as UTF-8, and (recursively) any base64 JSON string decoded. */
function textsOf(bytes: Buffer, depth = 0): string[] {
  const text = bytes.toString('utf8');
  const texts = [text];
  if (depth > 2) return texts;
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (BASE64.test(value)) texts.push(...textsOf(Buffer.from(value, 'base64'), depth + 1));
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  try {
    visit(JSON.parse(text));
  } catch {
    // not JSON: the raw text is scanned as it is
  }
  return texts;
}

/** `<originTopic>:<service>` of a dead letter. */
function originOf(bytes: Buffer): string | undefined {
  try {
    const letter = JSON.parse(bytes.toString('utf8')) as { originTopic?: string; service?: string };
    return `${letter.originTopic}:${letter.service}`;
  } catch {
    return undefined;
  }
}

/**
 * Reads every topic of the broker from its beginning up to its end when the scan starts (values,
 * keys and headers), in a throwaway group; the scan is over once the group has committed every
 * partition's end (control records included, which no handler sees).
 */
async function scanEveryTopic(kafka: Kafka, admin: Admin, forms: Record<string, string>): Promise<Scan> {
  const topics = (await admin.listTopics()).sort();
  const ends = new Map<string, Map<number, bigint>>();
  for (const topic of topics) ends.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)])));
  const scan: Scan = { topics, records: 0, findings: [], sealed: new Map() };
  const groupId = `e2e-erasure-scan-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const look = (topic: string, partition: number, offset: string, where: string, bytes: Buffer | null | undefined): void => {
    if (!bytes || bytes.length === 0) return;
    const origin = topic === Topic.DeadLetterV1 && where === 'value' ? originOf(bytes) : undefined;
    for (const text of textsOf(bytes)) {
      for (const [form, needle] of Object.entries(forms)) {
        if (text.includes(needle)) scan.findings.push({ topic, partition, offset, where, form, ...(origin ? { origin } : {}) });
      }
      for (const sealed of text.match(SEALED) ?? []) scan.sealed.set(sealed, (scan.sealed.get(sealed) ?? new Set()).add(topic));
    }
  };
  await consumer.run({
    autoCommitInterval: 200,
    eachMessage: async ({ topic, partition, message }) => {
      if (BigInt(message.offset) >= (ends.get(topic)?.get(partition) ?? 0n)) return;
      scan.records++;
      look(topic, partition, message.offset, 'key', message.key);
      look(topic, partition, message.offset, 'value', message.value);
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        for (const part of Array.isArray(value) ? value : [value]) {
          look(topic, partition, message.offset, `header ${name}`, part === undefined ? undefined : Buffer.from(part));
        }
      }
    },
  });
  try {
    await eventually(
      'the scan to reach the end of every topic',
      async () => {
        for (const topic of topics) {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          const done = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
          for (const [partition, end] of ends.get(topic) ?? []) {
            const low = BigInt((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition)?.low ?? '0');
            if (end > low && (done.get(partition) ?? -1n) < end) return undefined;
          }
        }
        return true;
      },
      240_000,
    );
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return scan;
}

/**
 * Issue 15, point 7: a person with dead letters, revocations, a sent campaign and an inbound STOP is
 * erased; then EVERY topic of the broker is read from its beginning (values, keys, headers, and
 * dead letters' payloads decoded): no copy holds the number in clear (E.164, digits, national), and
 * no sealed value anywhere opens to it with the key vault after the erasure.
 */
describe('erasure: no copy of the number survives on any topic', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const businessId = `erase-scan-${run}`;
  const phoneNumberId = `2${randomInt(1e9, 9e9)}`;
  const person = randomFrenchMobile();
  const forms = {
    e164: person.e164,
    digits: person.e164.slice(1),
    national: person.national,
    significant: person.national.slice(1),
  };
  const kafka = new Kafka({ brokers, clientId: 'e2e-erasure-scan', logLevel: logLevel.ERROR });
  let producer: TestProducer;
  let admin: Admin;
  let vaultDb: DataSource;

  const campaign: CampaignV1 = e2eCampaign({ campaignId: businessId, businessId, name: 'Erasure scan', phoneNumberId });

  /** Keys of this business (its consents) and of the facebook source (its engagement), issued by the operator's command. */
  const doors = new IngestDoors(businessId);
  async function post(path: string, body: unknown): Promise<{ results: { status: string; personId?: string; reason?: string }[] }> {
    const response = await doors.post(path, body);
    expect(response.status).toBe(200);
    return (await response.json()) as { results: { status: string; personId?: string; reason?: string }[] };
  }

  beforeAll(async () => {
    admin = kafka.admin();
    [producer] = await Promise.all([TestProducer.connect('e2e-erasure-scan', brokers), admin.connect()]);
    vaultDb = vaultDataSource({ ...loadConfig(class extends withKeyVault(ServiceEnv) {}, { ...testVaultEnv() }) }, 'e2e-erasure-scan');
    await vaultDb.initialize();
  });

  afterAll(async () => {
    await producer?.publish(Topic.CampaignsV1, [{ key: businessId, value: ended(campaign) }]);
    await Promise.all([producer?.disconnect(), admin?.disconnect()]);
    await vaultDb?.destroy();
  });

  it('erases a person with dead letters and revocations, then finds the number on no topic, in clear or sealed', async () => {
    const consents = await TopicProbe.start(brokers, Topic.ConsentV1);
    const deadLetters = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    const erasures = await TopicProbe.start(brokers, Topic.PrivacyErasuresV1);
    let personId = '';
    try {
      await producer.publish(Topic.CampaignsV1, [{ key: businessId, value: campaign }]);

      // Opt-ins and engagement through ingest's HTTP door (the public topics never see the number).
      const base = { phone: person.e164, status: 'granted', occurredAt: new Date(Date.now() - 3_600_000).toISOString(), source: 'e2e' };
      await post('/v1/consents', {
        consents: [
          { ...base, purpose: 'whatsapp_marketing', businessId },
          { ...base, purpose: 'cross_app_profiling' },
        ],
      });
      const engaged = await post('/v1/engagement-events', {
        events: [
          {
            eventId: `${businessId}-1`,
            source: 'facebook',
            type: 'click',
            phone: person.national,
            country: 'FR',
            occurredAt: new Date(Date.now() - 60_000).toISOString(),
            categories: ['hiking'],
          },
        ],
      });
      personId = engaged.results[0]?.personId as string;
      expect(personId).toMatch(/^[0-9a-f]{64}$/);

      // Dead letters of theirs: consent changes refused (a bad source), the number in the refused bytes.
      const refused = await post('/v1/consents', {
        consents: [{ ...base, purpose: 'whatsapp_marketing', businessId, source: 'not a source!' }],
      });
      expect(refused.results[0]).toMatchObject({ status: 'rejected', reason: 'schema_violation' });
      await deadLetters.waitFor((d) => d.service === 'ingest' && d.detail.startsWith('source'), 60_000);

      // The campaign reaches them; then they write STOP: the dispatcher's revocation, and the inbound message.
      await eventually(
        'the campaign to reach the person',
        async () => {
          const all = (await (
            await fetch(`${testServiceUrl('whatsapp-sandbox')}/sandbox/messages?phoneNumberId=${phoneNumberId}`)
          ).json()) as {
            waId: string;
          }[];
          return all.some((m) => m.waId === forms.digits) ? true : undefined;
        },
        90_000,
      );
      const stop = await fetch(`${testServiceUrl('whatsapp-sandbox')}/sandbox/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: forms.digits, phoneNumberId, text: 'STOP' }),
      });
      expect(stop.status).toBe(202);
      await consents.waitFor((c) => c.personId === personId && c.status === 'revoked', 60_000);

      // The erasure, over the operations route.
      const erased = await fetch(`${testServiceUrl('profiles')}/v1/profiles/${encodeURIComponent(person.e164)}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${process.env['WT_TEST_OPERATIONS_TOKEN'] ?? ''}` },
      });
      expect(erased.status).toBe(200);
      await erasures.waitFor((e) => e.personId === personId, 60_000);
    } finally {
      await Promise.all([consents.stop(), deadLetters.stop(), erasures.stop()]);
    }

    const scan = await scanEveryTopic(kafka, admin, forms);
    // Every topic of the platform was read, and records of this person were among them.
    expect(scan.topics).toEqual(expect.arrayContaining(Object.values(Topic)));
    const theirs = [...scan.sealed.entries()].filter(([sealed]) => sealed.startsWith(`v2.${personId}.`));
    const dataTopics: string[] = [
      Topic.EngagementNormalizedV1,
      Topic.ConsentNormalizedV1,
      Topic.TargetingDecisionsV1,
      Topic.WhatsappInboundV1,
      Topic.ProfileSnapshotsV1,
    ];
    expect([...new Set(theirs.flatMap(([, topics]) => [...topics]))]).toEqual(expect.arrayContaining(dataTopics));

    // No sealed value on any topic opens to the number any more (a new sealer, fresh from the vault).
    const config = loadConfig(class extends withKeyVault(ServiceEnv) {}, {
      ...testVaultEnv(),
      CONTACT_KEY: process.env['WT_TEST_CONTACT_KEY'],
    });
    const sealer = contactSealerOf(keyVaultOf(vaultDb, config), config);
    const values = [...scan.sealed.keys()];
    const opened: string[] = [];
    for (let i = 0; i < values.length; i += 1000) {
      for (const [j, result] of (await sealer.openAll(values.slice(i, i + 1000), { fresh: true })).entries()) {
        // A contact opens to the number itself; a sealed dead letter to JSON holding the original (base64).
        const holds =
          result.ok && textsOf(Buffer.from(result.e164, 'utf8')).some((text) => Object.values(forms).some((f) => text.includes(f)));
        if (holds) opened.push([...(scan.sealed.get(values[i + j] as string) ?? [])].join());
      }
    }
    expect(opened).toEqual([]);
    // Their copies on the data topics are all unreadable now. (A dead letter written AFTER the erasure, e.g. profiles'
    // erased_person letter of a record that arrived late, is sealed under a key the vault creates then: it may open;
    // it holds no number, as `opened` shows.)
    const onData = theirs.filter(([, topics]) => dataTopics.some((t) => topics.has(t))).map(([sealed]) => sealed);
    expect(await sealer.openAll(onData, { fresh: true })).toEqual(onData.map(() => ({ ok: false, reason: 'erased' })));

    // And no copy in clear, in any form, on any topic: dead letters of both doors included (ingest's HTTP
    // door seals its refused items under the number's owner, as the consumers do).
    expect(scan.findings).toEqual([]);
    expect(scan.records).toBeGreaterThan(0);
  }, 600_000);
});
