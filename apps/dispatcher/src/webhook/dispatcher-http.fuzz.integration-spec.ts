import { type INestApplication } from '@nestjs/common';
import { loadConfig } from '@wt/config';
import { Topic } from '@wt/contracts';
import { createKafka, ensureTopics } from '@wt/kafka';
import { runService } from '@wt/runtime';
import { fuzzEveryRoute, testBrokers, testVaultEnv, TopicProbe } from '@wt/testing';
import { signWebhookBody } from '@wt/whatsapp';
import { randomBytes, randomUUID } from 'node:crypto';
import { dispatcherModule } from '../app.module';
import { DispatcherConfig } from '../dispatcher.config';
import { freshDatabase } from '../testing/dispatcher-children';

/**
 * The dispatcher's HTTP side in-process on the real broker and a scratch Postgres: Meta's webhook
 * with a correct signature but a body it cannot read is answered 200 and dead-lettered (a 4xx or 5xx
 * is redelivered by Meta for days); a status for a message it never sent is counted and logged
 * without personal data; then every route is fuzzed (see libs/testing http-fuzz.ts).
 */
describe('dispatcher HTTP: hostile webhooks and fuzzing', () => {
  const run = randomUUID().slice(0, 8);
  const brokers = testBrokers();
  const appSecret = randomBytes(24).toString('hex');
  const phoneNumberId = `7${Date.now()}`.slice(0, 15);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let app: INestApplication;
  let base: string;
  let deadLetters: TopicProbe<Topic.DeadLetterV1>;

  beforeAll(async () => {
    db = await freshDatabase(`wt_it_dispatcher_fuzz_${run}`);
    await ensureTopics(createKafka({ brokers, clientId: 'dispatcher-fuzz' }));
    const config = loadConfig(DispatcherConfig, {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_GROUP_PREFIX: `it-fuzz-${run}`,
      WHATSAPP_BASE_URL: 'http://127.0.0.1:9',
      WHATSAPP_ACCESS_TOKEN: randomBytes(16).toString('hex'),
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_VERIFY_TOKEN: randomBytes(8).toString('hex'),
      PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
      ...testVaultEnv(),
      LOG_LEVEL: 'silent',
    });
    deadLetters = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    app = await runService({ name: 'dispatcher', module: dispatcherModule(config), port: 0, host: '127.0.0.1', rawBody: true });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await deadLetters?.stop();
    await app?.close();
    await db?.drop();
  });

  /** `signature`: null for none; by default the right one. */
  async function post(body: string, signature: string | null = signWebhookBody(body, appSecret)) {
    const response = await fetch(`${base}/v1/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const webhook = (changes: unknown[]) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes }] });
  const digits = () => `336${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

  it.each([
    ['an entry whose change lacks `value`', () => webhook([{ field: 'messages' }]), 'schema_violation', 'changes[0].value: is missing'],
    [
      'a change whose value lacks `metadata`',
      (wa: string) =>
        webhook([
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              contacts: [{ wa_id: wa }],
              statuses: [{ id: 'wamid.x', status: 'read', timestamp: '1', recipient_id: wa }],
            },
          },
        ]),
      'schema_violation',
      'metadata.phone_number_id: is missing',
    ],
    [
      'a status whose timestamp is not Unix seconds',
      (wa: string) =>
        webhook([
          {
            field: 'messages',
            value: {
              metadata: { phone_number_id: phoneNumberId },
              statuses: [{ id: 'wamid.y', status: 'read', timestamp: 'yesterday', recipient_id: wa }],
            },
          },
        ]),
      'schema_violation',
      'timestamp: must be Unix seconds',
    ],
    [
      'malformed JSON',
      (wa: string) => `{"object":"whatsapp_business_account","entry":[{"wa_id":"${wa}"`,
      'malformed_json',
      'not valid JSON',
    ],
    ['a NUL character', (wa: string) => webhook([{ field: 'messages', value: { note: '\u0000', wa_id: wa } }]), 'malformed_json', 'NUL'],
  ])(
    'answers 200 to a correctly signed webhook with %s, and dead-letters it without a clear phone number',
    async (_what, body, reason, detail) => {
      const wa = digits();
      const text = body(wa);
      expect(await post(text)).toEqual({ status: 200, json: { received: 0 } });
      const letter = (await deadLetters.waitFor((l) => l.service === 'dispatcher' && l.detail.includes(detail))).value;
      expect(letter).toMatchObject({ reason, originTopic: 'http', headers: { 'wt-http-route': 'POST /v1/webhooks/whatsapp' } });
      // The body is kept sealed (as every dead letter's original), never in clear: no copy of the number anywhere in the letter.
      expect(letter.payloadBase64).toBe('');
      expect(letter.sealedPayload).toMatch(/^v2\./);
      expect(letter.payloadBytes).toBeGreaterThan(0);
      expect(JSON.stringify(letter)).not.toContain(wa);
    },
  );

  it('still answers 401 to the same bodies unsigned or wrongly signed', async () => {
    const body = webhook([{ field: 'messages' }]);
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, signWebhookBody(body, 'another-secret-entirely'))).status).toBe(401);
    expect((await post('{"entry":', null)).status).toBe(401);
  });

  it('counts a status for a message it never sent in wt_webhook_unmatched_statuses_total, answered 200', async () => {
    const unmatched = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(/wt_webhook_unmatched_statuses_total\{[^}]*status="delivered"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await unmatched();
    const wa = digits();
    const body = webhook([
      {
        field: 'messages',
        value: {
          metadata: { phone_number_id: phoneNumberId },
          statuses: [
            {
              id: `wamid.${randomUUID()}`,
              status: 'delivered',
              timestamp: '1733561234',
              recipient_id: wa,
              biz_opaque_callback_data: `unknown-${run}`,
            },
          ],
        },
      },
    ]);
    expect(await post(body)).toEqual({ status: 200, json: { received: 0 } });
    expect(await unmatched()).toBe(before + 1);
  });

  it('answers every route with no 5xx and a JSON reason on every 4xx, signed webhooks included', async () => {
    const { tally } = await fuzzEveryRoute(
      'dispatcher',
      {
        baseUrl: base,
        seeds: {
          'POST /v1/webhooks/whatsapp': JSON.parse(
            webhook([
              {
                field: 'messages',
                value: {
                  metadata: { phone_number_id: phoneNumberId },
                  statuses: [{ id: 'wamid.fuzz', status: 'delivered', timestamp: '1733561234', recipient_id: '33600000000' }],
                  messages: [{ id: 'wamid.in', from: '33600000000', timestamp: '1733561234', type: 'text', text: { body: 'hi' } }],
                },
              },
            ]),
          ) as unknown,
        },
        // Every body signed: it must be reached, not stopped at the signature (the 401s are tested above).
        headers: (r, body): Record<string, string> =>
          r.method === 'POST' && body ? { 'x-hub-signature-256': signWebhookBody(body, appSecret) } : {},
      },
      ['POST /v1/webhooks/whatsapp', 'GET /v1/webhooks/whatsapp'],
    );
    expect(tally.findings).toEqual([]);
  }, 600_000);
});
