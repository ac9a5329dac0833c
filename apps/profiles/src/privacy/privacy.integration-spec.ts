import {
  type ConsentNormalizedV1,
  type EngagementNormalizedV1,
  type InboundMessageV1,
  type PrivacyErasureV1,
  type PrivacyExportV1,
  type PrivacyRequestV1,
  Topic,
  TOPIC_SPECS,
} from '@wt/contracts';
import { PlatformKeySealer, Pseudonymizer } from '@wt/identity';
import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { contactSealerOf, keyVaultOf, PostgresPersonIdentifiers, vaultDataSource } from '@wt/vault';
import { ensureTopics, parseTraceContext } from '@wt/kafka';
import { eventually, sleep, testBrokers, testVaultEnv, TopicProbe, randomFrenchMobile } from '@wt/testing';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ProfilesTestBed } from '../testing/profiles-test-bed';
import { type ProfileView } from './privacy.service';

interface ExportData {
  processedEvents: { dedupe_key: string }[];
}

/**
 * GDPR export and erasure (issue 3, points 10 and 11) on the real broker and Postgres: the built
 * profiles service runs as a child process on its own database and consumer group, and its real
 * log output is scanned for the numbers used.
 */
const TOKEN = randomBytes(24).toString('hex');
const SECRET = randomBytes(32).toString('hex');
const CONTACT_KEY = randomBytes(32).toString('base64');
const pseudonymizer = new Pseudonymizer(SECRET);
// Fixtures only: profiles stores sealed contacts but never opens them.
const sealer = new PlatformKeySealer(CONTACT_KEY);

/** A valid French mobile number nobody else in the run uses. */
function frenchMobile(): { national: string; e164: string } {
  return randomFrenchMobile();
}

describe('profiles: GDPR export and erasure', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const marie = frenchMobile();
  const marieId = pseudonymizer.personId(marie.e164);
  const paul = frenchMobile();
  const paulId = pseudonymizer.personId(paul.e164);
  let bed: ProfilesTestBed;
  let snapshots: TopicProbe<Topic.ProfileSnapshotsV1>;
  let erasures: TopicProbe<Topic.PrivacyErasuresV1>;
  let exports: TopicProbe<Topic.PrivacyExportsV1>;

  const url = (p: string) => `${bed.service.url}${p}`;
  const ops = { authorization: `Bearer ${TOKEN}` };

  function engagement(personId: string, e164: string, n: number, businessId = 'acme'): EngagementNormalizedV1 {
    const at = new Date(Date.now() - 3_600_000 + n * 1_000).toISOString();
    return {
      dedupeKey: `instagram:${run}-${personId.slice(0, 8)}-${n}`,
      personId,
      contact: sealer.seal(e164),
      source: 'instagram',
      type: 'like',
      occurredAt: at,
      categories: ['running-shoes'],
      businessId,
      country: 'FR',
      ingestedAt: at,
    };
  }

  function consent(personId: string, e164: string, minutesAgo: number): ConsentNormalizedV1 {
    return {
      personId,
      contact: sealer.seal(e164),
      purpose: 'whatsapp_marketing',
      businessId: 'acme',
      status: 'granted',
      occurredAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
      source: 'web-form',
      country: 'FR',
      // Asserted over ingest's HTTP door with business acme's API key.
      assertedVia: 'http_api',
      assertedBy: 'acme',
      assertedKeyId: 'AcmeKey0001x',
    };
  }

  const send = (topic: Topic, key: string, values: object[]) => bed.send(topic, values, () => key);
  const caughtUp = (topics: Topic[]) => bed.caughtUp(...topics);

  /** What an erased person leaves: their erasure record, nothing else. */
  const ERASED = { person_profile: 0, consent_state: 0, consent_ledger: 0, processed_event: 0, erased_person: 1 };

  /** Rows held about the person, per table, in one statement: an erasure committing meanwhile is seen whole or not at all. */
  async function rowsHeld(personId: string): Promise<Record<string, number>> {
    const counts = Object.keys(ERASED).map((table) => `(SELECT count(*) FROM ${table} WHERE person_id = $1)::int AS ${table}`);
    const { rows } = await bed.pg.query<Record<string, number>>(`SELECT ${counts.join(', ')}`, [personId]);
    return { ...rows[0] };
  }

  beforeAll(async () => {
    bed = await ProfilesTestBed.create('privacy', run, {
      PSEUDONYM_SECRET: SECRET,
      CONTACT_KEY,
      DEFAULT_REGION: 'FR',
      OPERATIONS_TOKEN: TOKEN,
    });
    await ensureTopics(bed.kafka, [TOPIC_SPECS[Topic.PrivacyErasuresV1], TOPIC_SPECS[Topic.PrivacyExportsV1]]);
    [snapshots, erasures, exports] = await Promise.all([
      TopicProbe.start(brokers, Topic.ProfileSnapshotsV1),
      TopicProbe.start(brokers, Topic.PrivacyErasuresV1),
      TopicProbe.start(brokers, Topic.PrivacyExportsV1),
    ]);
    await bed.service.start();
    await send(Topic.ConsentNormalizedV1, marieId, [consent(marieId, marie.e164, 30)]);
    await send(Topic.EngagementNormalizedV1, marieId, [engagement(marieId, marie.e164, 1), engagement(marieId, marie.e164, 2)]);
    await send(Topic.EngagementNormalizedV1, paulId, [engagement(paulId, paul.e164, 1)]);
    await eventually(
      'both profiles to be built',
      async () => ((await rowsHeld(marieId)).processed_event === 2 && (await rowsHeld(paulId)).processed_event === 1 ? true : undefined),
      60_000,
    );
    await snapshots.waitFor((s) => s.personId === marieId && s.activity.totalEvents === 2 && s.consents.whatsappMarketing.includes('acme'));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([snapshots, erasures, exports].map((probe) => probe?.stop()));
    await bed?.close();
  });

  it('refuses the operations routes without the right token (401)', async () => {
    const target = url(`/v1/profiles/${encodeURIComponent(marie.e164)}`);
    expect((await fetch(target)).status).toBe(401);
    expect((await fetch(target, { headers: { authorization: `Bearer ${TOKEN.slice(1)}x` } })).status).toBe(401);
    expect((await fetch(target, { method: 'DELETE', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${target}/export`)).status).toBe(401);
    expect(await rowsHeld(marieId)).toMatchObject({ person_profile: 1, erased_person: 0 });
  });

  it('GET /v1/profiles/{phone} shows interests, counts, consents and the service window, not the sealed number', async () => {
    const response = await fetch(url(`/v1/profiles/${marie.national}`), { headers: ops });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ProfileView;
    expect(body).toMatchObject({
      personId: marieId,
      activity: { totalEvents: 2, eventsBySource: { instagram: 2 }, eventsByBusiness: { acme: 2 } },
      consents: { whatsappMarketing: ['acme'], crossAppProfiling: false },
      signalBasis: 'first_party_only',
      serviceWindows: {},
    });
    expect(Object.keys(body.firstPartyInterests.acme)).toEqual(['running-shoes']);
    expect(body).not.toHaveProperty('contact');
    expect((await fetch(url('/v1/profiles/not-a-number'), { headers: ops })).status).toBe(400);
  });

  it('export (HTTP and privacy.requests.v1) returns everything held about the person', async () => {
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(url(`/v1/profiles/${encodeURIComponent(marie.e164)}/export`), {
      headers: { ...ops, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as PrivacyExportV1;
    expect(answer.personId).toBe(marieId);
    const publishedOverHttp = await exports.waitFor((e) => e.requestId === answer.requestId);
    expect(parseTraceContext(publishedOverHttp.headers)?.traceId).toBe(traceId);
    expect(answer.data).toMatchObject({
      contactHeld: true,
      profile: { total_events: 2, events_by_business: { acme: 2 }, country: 'FR' },
      consents: [{ purpose: 'whatsapp_marketing', business_id: 'acme', status: 'granted', source: 'web-form' }],
      // Who asserted the grant, and how (issue 15, point 6).
      consentLedger: [
        {
          purpose: 'whatsapp_marketing',
          status: 'granted',
          asserted_via: 'http_api',
          asserted_by: 'acme',
          asserted_key_id: 'AcmeKey0001x',
        },
      ],
      erasure: null,
    });
    expect((answer.data as unknown as ExportData).processedEvents.map((e) => e.dedupe_key).sort()).toEqual([
      engagement(marieId, '', 1).dedupeKey,
      engagement(marieId, '', 2).dedupeKey,
    ]);
    expect(JSON.stringify(answer)).not.toContain(marie.e164.slice(1));

    const requestId = `export-${run}`;
    const request: PrivacyRequestV1 = { requestId, phone: marie.e164, type: 'export', requestedAt: new Date().toISOString() };
    await send(Topic.PrivacyRequestsV1, requestId, [request]);
    const published = await exports.waitFor((e) => e.requestId === requestId);
    expect(published.key).toBe(requestId);
    expect(published.value.data).toEqual(answer.data);
  }, 60_000);

  it('erasure from privacy.requests.v1 removes everything, tombstones the snapshot and announces it', async () => {
    const requestId = `erase-${run}`;
    const request: PrivacyRequestV1 = {
      requestId,
      phone: `0033${marie.e164.slice(3)}`,
      type: 'erasure',
      requestedAt: new Date().toISOString(),
    };
    await send(Topic.PrivacyRequestsV1, requestId, [request]);
    const announced = await erasures.waitFor((e) => e.requestId === requestId);
    expect(announced.key).toBe(marieId);
    expect(announced.value.personId).toBe(marieId);
    await eventually('the tombstone on the snapshot topic', async () =>
      snapshots.records.some((r) => r.key === marieId && r.value === null) ? true : undefined,
    );
    // The announcement and the tombstone are acknowledged before the erasure commits: wait for the commit.
    const held = await eventually('the erasure committed', async () => {
      const rows = await rowsHeld(marieId);
      return rows['erased_person'] === 1 ? rows : undefined;
    });
    expect(held).toEqual(ERASED);
    expect((await fetch(url(`/v1/profiles/${marie.national}`), { headers: ops })).status).toBe(404);
    const exported = (await (await fetch(url(`/v1/profiles/${marie.national}/export`), { headers: ops })).json()) as PrivacyExportV1;
    expect(exported.data).toMatchObject({
      contactHeld: false,
      profile: null,
      consents: [],
      consentLedger: [],
      processedEvents: [],
      erasure: { request_id: requestId },
    });
  }, 60_000);

  it('after erasure, new events and consents for the number do not rebuild a targetable profile, and each is dead-lettered and counted as erased_person', async () => {
    const tombstoneAt = snapshots.records.findIndex((r) => r.key === marieId && r.value === null);
    const deadLetters = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    const inbound: InboundMessageV1 = {
      wamid: `wamid.erased-${run}`,
      personId: marieId,
      contact: sealer.seal(marie.e164),
      phoneNumberId: '33100000000',
      kind: 'text',
      text: 'hello again',
      receivedAt: new Date().toISOString(),
    };
    // A revocation naming the person by personId only (as the platform's own STOP and 131050 do).
    const { contact: _contact, ...revocation } = { ...consent(marieId, marie.e164, 0), status: 'revoked' as const };
    const late = [consent(marieId, marie.e164, 0), revocation];
    const lateEngagement = engagement(marieId, marie.e164, 3);
    await send(Topic.ConsentNormalizedV1, marieId, late);
    await send(Topic.EngagementNormalizedV1, marieId, [lateEngagement]);
    await send(Topic.WhatsappInboundV1, marieId, [inbound]);
    // The originals are sealed in dead letters; their SHA-256 says which records they were.
    const sent = new Set([...late, lateEngagement, inbound].map((v) => createHash('sha256').update(JSON.stringify(v)).digest('hex')));
    await eventually(
      'the new records to be consumed',
      async () => ((await caughtUp([Topic.ConsentNormalizedV1, Topic.EngagementNormalizedV1, Topic.WhatsappInboundV1])) ? true : undefined),
      60_000,
    );
    try {
      const erasedLetters = await eventually(
        'the dead letters of the erased person',
        async () => {
          const found = deadLetters.records.filter((r) => r.value?.reason === 'erased_person' && sent.has(r.value.payloadSha256 ?? ''));
          return found.length >= 4 ? found : undefined;
        },
        60_000,
      );
      expect(erasedLetters.map((r) => r.value?.originTopic).sort()).toEqual([
        Topic.ConsentNormalizedV1,
        Topic.ConsentNormalizedV1,
        Topic.EngagementNormalizedV1,
        Topic.WhatsappInboundV1,
      ]);
      expect(erasedLetters.every((r) => r.value?.service === 'profiles' && /erased/.test(r.value.detail))).toBe(true);
    } finally {
      await deadLetters.stop();
    }
    const metrics = await (await fetch(url('/metrics'))).text();
    for (const [topic, n] of [
      [Topic.ConsentNormalizedV1, 2],
      [Topic.EngagementNormalizedV1, 1],
      [Topic.WhatsappInboundV1, 1],
    ] as const) {
      expect(metrics).toMatch(
        new RegExp(`^wt_profile_dropped_total\\{topic="${topic.replace(/\./g, '\\.')}",reason="erased_person"[^}]*\\} ${n}$`, 'm'),
      );
    }
    await sleep(500);
    expect(await rowsHeld(marieId)).toEqual(ERASED);
    expect(snapshots.records.slice(tombstoneAt + 1).filter((r) => r.key === marieId)).toEqual([]);
  }, 90_000);

  it("DELETE /v1/profiles/{phone} erases over HTTP too, continuing the caller's traceparent", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const response = await fetch(url(`/v1/profiles/${encodeURIComponent(paul.e164)}`), {
      method: 'DELETE',
      headers: { ...ops, traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    expect(response.status).toBe(200);
    const requestSpan = parseTraceContext({ traceparent: response.headers.get('traceparent') ?? '' });
    expect(requestSpan?.traceId).toBe(traceId);
    expect(requestSpan?.spanId).not.toBe(callerSpan);
    const body = (await response.json()) as PrivacyErasureV1;
    expect(body.personId).toBe(paulId);
    const announced = await erasures.waitFor((e) => e.personId === paulId);
    expect(parseTraceContext(announced.headers)?.traceId).toBe(traceId);
    expect([callerSpan, requestSpan?.spanId]).not.toContain(parseTraceContext(announced.headers)?.spanId);
    await eventually('the tombstone on the snapshot topic', async () =>
      snapshots.records.some((r) => r.key === paulId && r.value === null) ? true : undefined,
    );
    expect(await rowsHeld(paulId)).toMatchObject({ person_profile: 0, processed_event: 0, erased_person: 1 });
  }, 60_000);

  it('dead-letters a privacy request whose number cannot be read, with the reason', async () => {
    const deadLetters = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    try {
      const requestId = `bad-${run}`;
      const request: PrivacyRequestV1 = { requestId, phone: '12-not-a-phone', type: 'erasure', requestedAt: new Date().toISOString() };
      await send(Topic.PrivacyRequestsV1, requestId, [request]);
      const dead = await deadLetters.waitFor(
        (d) =>
          d.originTopic === Topic.PrivacyRequestsV1 &&
          d.service === 'profiles' &&
          // The original is sealed in a dead letter; its SHA-256 says which record it was.
          d.payloadSha256 === createHash('sha256').update(JSON.stringify(request)).digest('hex'),
      );
      expect(dead.value.reason).toBe('invalid_phone');
      expect(dead.value.detail).toMatch(/^phone: /);
      // Sealed (under the day's dead-letter key: its number names no one), never in clear.
      expect(dead.value.payloadBase64).toBe('');
      expect(dead.value.sealedPayload).toMatch(/^v2\./);
      expect(JSON.stringify(dead.value)).not.toContain('12-not-a-phone');
    } finally {
      await deadLetters.stop();
    }
  }, 60_000);

  it('a person known only by a WhatsApp business-scoped user id: export by personId lists their identifiers (not their values), erasure removes the links', async () => {
    const bsuid = `FR.${randomBytes(8).readBigUInt64BE(0).toString().slice(0, 17)}`;
    const username = `only_${run}`;
    const personId = pseudonymizer.personIdOfBusinessScopedUser(bsuid);
    const config = loadConfig(class extends withKeyVault(ServiceEnv) {}, { ...testVaultEnv() });
    const vaultDb = vaultDataSource(config, 'it-profiles-bsuid');
    await vaultDb.initialize();
    try {
      // What the dispatcher holds after their first webhook: the BSUID and username linked, sealed under their key.
      const contacts = contactSealerOf(keyVaultOf(vaultDb, config), config);
      const identifiers = new PostgresPersonIdentifiers(vaultDb);
      const [sealedBsuid, sealedUsername] = await contacts.sealAll([
        { personId, e164: bsuid },
        { personId, e164: username },
      ]);
      const digest = pseudonymizer.identifierDigest('bsuid', bsuid);
      await identifiers.link([{ digest, kind: 'bsuid', personId, sealed: sealedBsuid as string, usernameSealed: sealedUsername }]);
      const message: InboundMessageV1 = {
        wamid: `wamid.bsuid-${run}`,
        personId,
        contact: sealedBsuid as string,
        contactKind: 'bsuid',
        phoneNumberId: '1000001',
        kind: 'text',
        text: 'hello',
        receivedAt: new Date().toISOString(),
      };
      await send(Topic.WhatsappInboundV1, personId, [message]);
      await eventually('their profile', async () => ((await rowsHeld(personId)).person_profile === 1 ? true : undefined), 30_000);

      const exportId = `export-bsuid-${run}`;
      await send(Topic.PrivacyRequestsV1, exportId, [
        { requestId: exportId, personId, type: 'export', requestedAt: new Date().toISOString() },
      ]);
      const exported = await exports.waitFor((e) => e.requestId === exportId);
      expect(exported.value.personId).toBe(personId);
      expect(exported.value.data).toMatchObject({
        contactHeld: true,
        identifiers: [{ kind: 'bsuid', usernameHeld: true, replacedAt: null }],
      });
      expect(JSON.stringify(exported.value)).not.toContain(bsuid);
      expect(JSON.stringify(exported.value)).not.toContain(username);

      const erasureId = `erase-bsuid-${run}`;
      await send(Topic.PrivacyRequestsV1, erasureId, [
        { requestId: erasureId, personId, type: 'erasure', requestedAt: new Date().toISOString() },
      ]);
      await erasures.waitFor((e) => e.requestId === erasureId && e.personId === personId);
      expect(await rowsHeld(personId)).toMatchObject({ person_profile: 0, erased_person: 1 });
      expect((await identifiers.resolve([digest])).size).toBe(0);
      expect(await identifiers.heldBy(personId)).toEqual([]);
      expect(await contacts.open(sealedBsuid as string, { fresh: true })).toEqual({ ok: false, reason: 'erased' });
    } finally {
      await vaultDb.destroy();
    }
  }, 60_000);

  it('never writes the numbers used in the paths to a log line', async () => {
    const log = bed.service.logSince();
    expect(log).toMatch(/\/v1\/profiles\/\[redacted\]/);
    for (const phone of [marie, paul]) {
      expect(log).not.toContain(phone.national);
      expect(log).not.toContain(phone.e164.slice(3));
    }
  });
});
