import { type DeadLetterV1, type EngagementEventV1, Topic } from '@wt/contracts';
import { parseTraceContext } from '@wt/kafka';
import { ServiceProcess, testBrokers, testDatabaseUrl, testVaultEnv, TopicProbe } from '@wt/testing';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { issueKey, ROOT } from '../testing/ingest-child';
import { type IntakeResponse } from './ingest-http.controller';

/**
 * Both doors of ingest on the real broker and its real database, with the built service as a
 * child process: the HTTP door takes only authenticated requests (keys issued with the operator's
 * `api-key` command), answers per event and dead-letters what it refuses (origin `http`), the Kafka
 * door refuses the same event for the same reason, and `wt dead-letters replay` brings both back
 * once the cause is fixed (here: a default region configured for national numbers).
 */
const RATE_LIMIT = 40;

describe('ingest doors: HTTP and Kafka, one behaviour; dead letters and their replay', () => {
  const brokers = testBrokers();
  const run = randomUUID().slice(0, 8);
  const secrets = { PSEUDONYM_SECRET: randomBytes(32).toString('hex'), ...testVaultEnv() };
  // French mobiles in 061x, a range libphonenumber's full metadata knows as assigned.
  const used: string[] = [];
  const mobile = () => {
    const digits = `61${String(randomInt(1_000_000, 9_999_999))}`;
    used.push(digits);
    return digits;
  };
  let ingest: ServiceProcess;
  let producer: Producer;
  const probes: TopicProbe<Topic>[] = [];
  let deadLetters: TopicProbe<Topic.DeadLetterV1>;
  let normalized: TopicProbe<Topic.EngagementNormalizedV1>;
  let consents: TopicProbe<Topic.ConsentNormalizedV1>;

  async function stop(): Promise<void> {
    // A graceful stop finishes the batch in progress; do not wait for ever on a loaded machine.
    await ingest.stop('SIGTERM', 20_000);
  }

  /** Instagram's producer key, business `acme-<run>`'s key and business `globex-<run>`'s key. */
  const keys: Record<'instagram' | 'acme' | 'globex', { keyId: string; apiKey: string }> = {} as never;
  const acme = `acme-${run}`;
  const globex = `globex-${run}`;

  async function post(
    route: string,
    body: unknown,
    headers: Record<string, string> = {},
    apiKey: string | null = route === '/v1/consents' ? keys.acme.apiKey : keys.instagram.apiKey,
  ): Promise<{ status: number; json: IntakeResponse & { message?: string }; traceparent: string | null; retryAfter: string | null }> {
    const response = await fetch(`${ingest.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: text.startsWith('{') ? JSON.parse(text) : {},
      traceparent: response.headers.get('traceparent'),
      retryAfter: response.headers.get('retry-after'),
    };
  }

  const event = (id: string, overrides: Partial<EngagementEventV1> = {}): EngagementEventV1 => ({
    eventId: `${run}-${id}`,
    source: 'instagram',
    type: 'click',
    phone: `+33${mobile()}`,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    categories: ['trail-running'],
    businessId: 'acme',
    ...overrides,
  });
  /** Whether a dead letter is that of this event (both doors seal the original; matched by the SHA-256 of its JSON). */
  const letterOf = (letter: DeadLetterV1, sent: object) =>
    letter.payloadSha256 === createHash('sha256').update(JSON.stringify(sent)).digest('hex');

  beforeAll(async () => {
    for (const project of ['apps/ingest', 'tools/cli']) {
      execFileSync(process.execPath, [path.join(ROOT, 'tools/build/swc-build.mjs'), project], { cwd: ROOT, stdio: 'ignore' });
    }
    keys.instagram = await issueKey('issue-producer', 'instagram');
    keys.acme = await issueKey('issue', acme);
    keys.globex = await issueKey('issue', globex);
    ingest = await ServiceProcess.create('ingest', `ingest-doors-${run}`, {
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_GROUP_PREFIX: `it-ingest-${run}`,
      HTTP_BODY_LIMIT: '256kb',
      DATABASE_URL: testDatabaseUrl('ingest'),
      // A window far longer than the run: the limit test counts requests, never time.
      HTTP_RATE_LIMIT_PER_KEY: String(RATE_LIMIT),
      HTTP_RATE_LIMIT_WINDOW_SECONDS: '3600',
      ...secrets,
    });
    deadLetters = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    normalized = await TopicProbe.start(brokers, Topic.EngagementNormalizedV1);
    consents = await TopicProbe.start(brokers, Topic.ConsentNormalizedV1);
    probes.push(deadLetters, normalized, consents);
    producer = new Kafka({ brokers, clientId: 'ingest-doors-it', logLevel: logLevel.ERROR }).producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    await ingest.start();
  }, 90_000);

  afterAll(async () => {
    await ingest?.stop('SIGTERM', 20_000);
    await producer?.disconnect();
    await Promise.all(probes.map((p) => p.stop()));
  }, 90_000);

  it('answers per event over HTTP: accepted ones published by personId, rejected ones with field, reason and a dead letter', async () => {
    const good = event('good');
    const badPhone = event('bad-phone', { phone: '+33 1' });
    const badType = { ...event('bad-type'), type: 'poke' };
    const { status, json } = await post('/v1/engagement-events', { events: [good, badPhone, badType] });
    expect(status).toBe(200);
    expect(json).toMatchObject({ accepted: 1, rejected: 2 });
    expect(json.results[0]).toMatchObject({ index: 0, status: 'accepted' });
    expect(json.results[1]).toMatchObject({ index: 1, status: 'rejected', reason: 'invalid_phone', errors: [{ field: 'phone' }] });
    expect(json.results[2]).toMatchObject({ index: 2, status: 'rejected', reason: 'unknown_type', errors: [{ field: 'type' }] });

    const published = await normalized.waitFor((e) => e.dedupeKey === `instagram:${good.eventId}`);
    expect(published.key).toBe(published.value.personId);
    expect(published.key).toBe((json.results[0] as { personId: string }).personId);
    const letter = await deadLetters.waitFor((d) => d.originTopic === 'http' && letterOf(d, badPhone));
    expect(letter.key).toBe('http');
    expect(letter.value).toMatchObject({
      reason: 'invalid_phone',
      service: 'ingest',
      headers: { 'wt-http-route': 'POST /v1/engagement-events' },
    });
    // Sealed under the number's owner, as the Kafka door's: no copy of the number in clear.
    expect(letter.value.payloadBase64).toBe('');
    expect(letter.value.sealedPayload).toMatch(/^v2\./);
    await deadLetters.waitFor((d) => d.originTopic === 'http' && letterOf(d, badType) && d.reason === 'unknown_type');
  });

  it('refuses the same bad event through the Kafka door for the same reason', async () => {
    const badPhone = event('kafka-bad-phone', { phone: '+33 1' });
    await producer.send({ topic: Topic.SocialEngagementV1, acks: -1, messages: [{ key: null, value: JSON.stringify(badPhone) }] });
    const letter = await deadLetters.waitFor((d) => d.originTopic === Topic.SocialEngagementV1 && letterOf(d, badPhone));
    expect(letter.value).toMatchObject({ reason: 'invalid_phone', service: 'ingest' });
    expect(letter.value.detail).toMatch(/^phone: /);
  });

  it('dead-letters an unknown type as unknown_type through the Kafka door too, and a malformed one as schema_violation', async () => {
    const unknownType = { ...event('kafka-unknown-type'), type: 'poke' };
    const numericType = { ...event('kafka-numeric-type'), type: 7 };
    await producer.send({
      topic: Topic.SocialEngagementV1,
      acks: -1,
      messages: [unknownType, numericType].map((e) => ({ key: null, value: JSON.stringify(e) })),
    });
    const unknown = await deadLetters.waitFor((d) => d.originTopic === Topic.SocialEngagementV1 && letterOf(d, unknownType));
    expect(unknown.value).toMatchObject({ reason: 'unknown_type', service: 'ingest' });
    expect(unknown.value.detail).toMatch(/^type: /);
    const malformed = await deadLetters.waitFor((d) => d.originTopic === Topic.SocialEngagementV1 && letterOf(d, numericType));
    expect(malformed.value).toMatchObject({ reason: 'schema_violation', service: 'ingest' });
  });

  it('limits the request: at most 1,000 events, a body limit, an events array', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ eventId: `${run}-n${i}` }));
    const tooMany = await post('/v1/engagement-events', { events: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.message).toMatch(/at most 1000/);
    expect((await post('/v1/engagement-events', { event: event('x') })).status).toBe(400);
    const big = await post('/v1/engagement-events', { events: [event('big', { contentId: 'x' }), { pad: 'x'.repeat(300_000) }] });
    expect(big.status).toBe(413);
  });

  it('takes consents over HTTP', async () => {
    const phone = `+33${mobile()}`;
    const { status, json } = await post('/v1/consents', {
      consents: [
        { phone, purpose: 'cross_app_profiling', status: 'granted', occurredAt: new Date().toISOString(), source: 'web-form' },
        { phone, purpose: 'whatsapp_marketing', status: 'granted', occurredAt: new Date().toISOString(), source: 'web-form' },
      ],
    });
    expect(status).toBe(200);
    expect(json.results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
    const personId = (json.results[0] as { personId: string }).personId;
    const change = await consents.waitFor((c) => c.personId === personId);
    expect(change.value).toMatchObject({ purpose: 'cross_app_profiling', status: 'granted' });
  });

  describe('every door authenticated, every grant attributable (issue 15, point 6)', () => {
    const consent = (phone: string, overrides: Record<string, unknown> = {}) => ({
      phone,
      purpose: 'whatsapp_marketing',
      businessId: acme,
      status: 'granted',
      occurredAt: new Date(Date.now() - 1000).toISOString(),
      source: 'web-form',
      ...overrides,
    });

    /**
     * A refused request published nothing: a valid record for the same person, sent after it, is
     * on the same partition (the personId is the key), so once it is seen nothing before it can come.
     */
    async function nothingPublishedBefore(phone: string, refused: (c: { source: string; businessId?: string }) => boolean) {
      const answer = await post('/v1/consents', { consents: [consent(phone, { source: `after-${run}` })] });
      expect(answer.json.results[0]).toMatchObject({ status: 'accepted' });
      const personId = (answer.json.results[0] as { personId: string }).personId;
      await consents.waitFor((c) => c.personId === personId && c.source === `after-${run}`);
      expect(consents.records.filter((r) => r.value.personId === personId && refused(r.value))).toEqual([]);
    }

    it('refuses a request without a key, with a malformed, unknown or revoked one (401), and publishes nothing of it', async () => {
      const phone = `+33${mobile()}`;
      const forged = [consent(phone, { source: `forged-${run}` })];
      const none = await post('/v1/consents', { consents: forged }, {}, null);
      expect(none.status).toBe(401);
      expect(none.json.message).toBe('an API key is required');
      expect((await post('/v1/consents', { consents: forged }, {}, 'not-a-key')).status).toBe(401);
      const unknown = await post('/v1/consents', { consents: forged }, {}, `wtk_${keys.acme.keyId}.${'A'.repeat(43)}`);
      expect(unknown.status).toBe(401);
      expect(unknown.json.message).toBe('invalid API key');
      const revoked = await issueKey('issue', acme);
      await issueKey('revoke', revoked.keyId);
      expect((await post('/v1/consents', { consents: forged }, {}, revoked.apiKey)).status).toBe(401);
      expect((await post('/v1/engagement-events', { events: [event('anonymous', { phone })] }, {}, null)).status).toBe(401);
      await nothingPublishedBefore(phone, (c) => c.source === `forged-${run}`);
      expect(normalized.records.filter((r) => r.value.dedupeKey === `instagram:${run}-anonymous`)).toEqual([]);
    });

    it("refuses business A's key granting consent for business B (403 with the reason), and publishes nothing of the request", async () => {
      const phone = `+33${mobile()}`;
      const mixed = await post('/v1/consents', {
        consents: [consent(phone, { source: `mixed-${run}` }), consent(phone, { businessId: globex, source: `mixed-${run}` })],
      });
      expect(mixed.status).toBe(403);
      expect(mixed.json.message).toBe(
        `consents[1] is for business "${globex}", but this API key (${keys.acme.keyId}) is business "${acme}"'s: a business writes its own consents only; nothing was accepted`,
      );
      // Nor can a business key post engagement, or a producer key consents (the scope).
      const scoped = await post('/v1/engagement-events', { events: [event('business-key', { phone })] }, {}, keys.acme.apiKey);
      expect(scoped.status).toBe(403);
      expect(scoped.json.message).toMatch(/does not have the scope engagement:write/);
      expect((await post('/v1/consents', { consents: [consent(phone)] }, {}, keys.instagram.apiKey)).status).toBe(403);
      await nothingPublishedBefore(phone, (c) => c.source === `mixed-${run}` || c.businessId === globex);
    });

    it("refuses a producer key's events from another source (403), and publishes nothing of the request", async () => {
      const phone = `+33${mobile()}`;
      const other = await post('/v1/engagement-events', {
        events: [event('own-source', { phone }), event('other-source', { phone, source: 'facebook' })],
      });
      expect(other.status).toBe(403);
      expect(other.json.message).toMatch(
        /events\[1\] comes from source "facebook", but this API key \(.+\) is the producer key of "instagram"/,
      );
      const after = event('after-refusal', { phone });
      expect((await post('/v1/engagement-events', { events: [after] })).status).toBe(200);
      const seen = await normalized.waitFor((e) => e.dedupeKey === `instagram:${after.eventId}`);
      const refused = [`instagram:${run}-own-source`, `facebook:${run}-other-source`];
      expect(normalized.records.filter((r) => r.value.personId === seen.value.personId && refused.includes(r.value.dedupeKey))).toEqual([]);
    });

    it('attributes a consent to the key that asserted it over HTTP, whatever the body claims; over Kafka to what the producer declared', async () => {
      const phone = `+33${mobile()}`;
      const answer = await post('/v1/consents', { consents: [consent(phone, { assertedVia: 'assistant', assertedBy: 'not-acme' })] });
      expect(answer.status).toBe(200);
      const personId = (answer.json.results[0] as { personId: string }).personId;
      const viaHttp = await consents.waitFor((c) => c.personId === personId && c.purpose === 'whatsapp_marketing');
      expect(viaHttp.value).toMatchObject({ assertedVia: 'http_api', assertedBy: acme, assertedKeyId: keys.acme.keyId });

      const declared = consent(phone, {
        purpose: 'cross_app_profiling',
        businessId: undefined,
        assertedVia: 'whatsapp_webhook',
        assertedBy: 'dispatcher',
      });
      const undeclared = consent(phone, { businessId: globex, source: `kafka-${run}` });
      await producer.send({
        topic: Topic.ConsentV1,
        acks: -1,
        messages: [declared, undeclared].map((c) => ({ key: null, value: JSON.stringify(c) })),
      });
      const viaKafka = await consents.waitFor((c) => c.personId === personId && c.purpose === 'cross_app_profiling');
      expect(viaKafka.value).toMatchObject({ assertedVia: 'whatsapp_webhook', assertedBy: 'dispatcher' });
      expect(viaKafka.value.assertedKeyId).toBeUndefined();
      const anonymous = await consents.waitFor((c) => c.personId === personId && c.source === `kafka-${run}`);
      expect(anonymous.value).toMatchObject({ assertedVia: 'kafka_producer', assertedBy: 'unidentified', businessId: globex });
    });

    it('answers 429 with Retry-After once one key passes its limit, while other keys go on', async () => {
      const burst = await issueKey('issue', `burst-${run}`);
      // Empty batches (400) count too: the limit is on requests, checked before the body.
      for (let i = 0; i < RATE_LIMIT; i += 1) expect((await post('/v1/consents', { consents: [] }, {}, burst.apiKey)).status).toBe(400);
      const over = await post('/v1/consents', { consents: [] }, {}, burst.apiKey);
      expect(over.status).toBe(429);
      expect(Number(over.retryAfter)).toBeGreaterThan(0);
      expect(over.json.message).toMatch(new RegExp(`more than ${RATE_LIMIT} requests in 3600 s with this API key`));
      expect((await post('/v1/consents', { consents: [] }, {}, keys.globex.apiKey)).status).toBe(400);
      // The ops endpoints are not behind keys or limits.
      expect((await fetch(`${ingest.url}/health/live`)).status).toBe(200);
    });
  });

  it("continues the caller's traceparent into what each door publishes, and answers the request's span", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const good = event('traced-good');
    const bad = event('traced-bad', { phone: '+33 1' });
    const answer = await post('/v1/engagement-events', { events: [good, bad] }, { traceparent: `00-${traceId}-${callerSpan}-01` });
    expect(answer.status).toBe(200);
    const requestSpan = parseTraceContext({ traceparent: answer.traceparent ?? '' });
    expect(requestSpan).toMatchObject({ traceId });
    expect(requestSpan?.spanId).not.toBe(callerSpan);
    const published = await normalized.waitFor((e) => e.dedupeKey === `instagram:${good.eventId}`);
    const letter = await deadLetters.waitFor((d) => d.originTopic === 'http' && letterOf(d, bad));
    for (const record of [published, letter]) {
      const span = parseTraceContext(record.headers);
      expect(span?.traceId).toBe(traceId);
      expect([callerSpan, requestSpan?.spanId]).not.toContain(span?.spanId);
    }

    // Consents too; without a traceparent the request starts a new trace, which its record continues.
    const phone = `+33${mobile()}`;
    const consent = await post('/v1/consents', {
      consents: [{ phone, purpose: 'cross_app_profiling', status: 'granted', occurredAt: new Date().toISOString(), source: 'web-form' }],
    });
    const fresh = parseTraceContext({ traceparent: consent.traceparent ?? '' });
    expect(fresh?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh?.traceId).not.toBe(traceId);
    const personId = (consent.json.results[0] as { personId: string }).personId;
    const change = await consents.waitFor((c) => c.personId === personId);
    expect(parseTraceContext(change.headers)?.traceId).toBe(fresh?.traceId);
    expect(parseTraceContext(change.headers)?.spanId).not.toBe(fresh?.spanId);
  });

  it('replays dead letters once the cause is fixed: both doors, filtered by reason and time', async () => {
    // National numbers with no country hint and no default region: refused as invalid_phone.
    const viaHttp = event('national-http', { phone: `0${mobile()}` });
    const viaKafka = event('national-kafka', { phone: `0${mobile()}` });
    const replayFrom = new Date();
    expect((await post('/v1/engagement-events', { events: [viaHttp] })).json.results[0]).toMatchObject({ reason: 'invalid_phone' });
    await producer.send({ topic: Topic.SocialEngagementV1, acks: -1, messages: [{ key: null, value: JSON.stringify(viaKafka) }] });
    await deadLetters.waitFor((d) => letterOf(d, viaKafka));

    // The fix: ingest now knows that national numbers are French.
    await stop();
    await ingest.start({ DEFAULT_REGION: 'FR' });

    const cli = (args: string[]) =>
      execFileSync(process.execPath, [path.join(ROOT, 'dist/tools/cli/src/main.js'), 'dead-letters', 'replay', ...args], {
        cwd: ROOT,
        // The key vault opens the Kafka door's sealed dead letter.
        env: { ...process.env, KAFKA_BROKERS: brokers.join(','), ...testVaultEnv() },
        encoding: 'utf8',
      });
    const dry = cli(['--reason', 'invalid_phone', '--since', replayFrom.toISOString(), '--dry-run']);
    expect(dry).toMatch(/2 matched, 2 would be replayed/);
    const out = cli(['--reason', 'invalid_phone', '--since', replayFrom.toISOString()]);
    expect(out).toMatch(/2 matched, 2 replayed/);
    expect(out).toContain(`-> ${Topic.SocialEngagementV1}: 2`);
    expect(out).not.toMatch(/\d{8}/);

    for (const replayed of [viaHttp, viaKafka]) {
      const record = await normalized.waitFor((e) => e.dedupeKey === `instagram:${replayed.eventId}`);
      expect(record.value.country).toBe('FR');
    }
  }, 120_000);

  it('wrote no phone number in clear in its logs, whichever door and outcome', async () => {
    await stop();
    const log = ingest.logSince();
    expect(log.length).toBeGreaterThan(0);
    expect(used.length).toBeGreaterThan(5);
    // Every number this run sent (valid, invalid, national and E.164), as digits and as written.
    const leaks = used.filter((digits) => log.replace(/[\s().-]/g, '').includes(digits));
    expect(leaks).toEqual([]);
    expect(log).not.toContain('+33 1');
  });
});
