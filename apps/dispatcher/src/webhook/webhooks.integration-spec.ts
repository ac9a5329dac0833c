import { Topic } from '@wt/contracts';
import { eventually, type TopicProbe } from '@wt/testing';
import { type InboundMessage, type MessageStatusUpdate, signWebhookBody, type UserPreference } from '@wt/whatsapp';
import { randomBytes, randomUUID } from 'node:crypto';
import { type TestPerson, DispatcherTestBed } from '../testing/dispatcher-fixtures';

interface Delivery {
  body: string;
  /** When its events happened (the webhook's timestamp), as the published records say it. */
  occurredAt: string;
}

/**
 * Meta's webhook on the real broker, the real Postgres and the built dispatcher (issue 5, point 5):
 * a bad or missing `X-Hub-Signature-256` gets 401 and publishes nothing on any topic; a delivery
 * Meta retries publishes each of its events once (through the webhook outbox, emptied by the
 * publishes right after the commits); the subscription handshake answers only the
 * right verify token. Absence is proven by ordering, never by waiting: a later valid webhook for
 * the same person (same Kafka key, so the same partition) is seen on every topic first.
 */
describe('dispatcher webhooks: signatures, duplicates and the verification handshake', () => {
  const run = randomUUID().slice(0, 8);
  const phoneNumberId = `6${Date.now()}`.slice(0, 15);
  let bed: DispatcherTestBed;
  let statuses: TopicProbe<Topic.WhatsappMessageStatusV1>;
  let consents: TopicProbe<Topic.ConsentV1>;
  let inbound: TopicProbe<Topic.WhatsappInboundV1>;
  let clock = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    // The sandbox reports `sent` and `delivered` itself and never `read`: the tests post `read`.
    bed = await DispatcherTestBed.create(
      run,
      'webhooks',
      { PAIR_INTERVAL_MS: '0', SENDER_POLL_MS: '50' },
      { SANDBOX_PAIR_INTERVAL_MS: '0', SANDBOX_READ_RATE: '0' },
    );
    [statuses, consents, inbound] = await bed.start(Topic.WhatsappMessageStatusV1, Topic.ConsentV1, Topic.WhatsappInboundV1);
  }, 120_000);

  afterAll(() => bed?.stop());

  /** A template really sent through the sandbox; resolves with its wamid once the ledger holds it and its `delivered`. */
  async function sent(person: TestPerson, label: string): Promise<{ decisionId: string; wamid: string }> {
    const decision = bed.driver.decision(person, label, phoneNumberId);
    await bed.driver.publishDecisions(decision);
    const row = await bed.driver.ledgerUntil(
      decision.decisionId,
      'accepted and delivered',
      (r) => r.state === 'accepted' && r.statuses.includes('delivered'),
    );
    return { decisionId: decision.decisionId, wamid: row.wamid as string };
  }

  /** One webhook delivery with a `read` status, an inbound text and a marketing preference of one person. */
  function delivery(
    person: TestPerson,
    content: { read: { wamid: string; decisionId: string }; inboundId: string; preference: 'stop' | 'resume' },
  ): Delivery {
    const timestamp = String(++clock);
    const metadata = { display_phone_number: '15550001234', phone_number_id: phoneNumberId };
    const status: MessageStatusUpdate = {
      id: content.read.wamid,
      status: 'read',
      timestamp,
      recipient_id: person.digits,
      biz_opaque_callback_data: content.read.decisionId,
    };
    const message: InboundMessage = {
      from: person.digits,
      id: content.inboundId,
      timestamp,
      type: 'text',
      text: { body: 'Is it still on sale?' },
    };
    const preference: UserPreference = {
      wa_id: person.digits,
      category: 'marketing_messages',
      value: content.preference,
      timestamp,
      detail: 'User tapped stop',
    };
    const contacts = [{ profile: { name: 'Test' }, wa_id: person.digits }];
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '100000000000001',
          changes: [
            { field: 'messages', value: { messaging_product: 'whatsapp', metadata, contacts, statuses: [status], messages: [message] } },
            { field: 'user_preferences', value: { messaging_product: 'whatsapp', metadata, contacts, user_preferences: [preference] } },
          ],
        },
      ],
    });
    return { body, occurredAt: new Date(Number(timestamp) * 1000).toISOString() };
  }

  async function post(body: string, signature: string | undefined): Promise<number> {
    const response = await fetch(`${bed.stack.dispatcher.url}/v1/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }) },
      body,
    });
    await response.text();
    return response.status;
  }

  const readsOf = (wamid: string) => statuses.records.filter((r) => r.value.wamid === wamid && r.value.status === 'read');
  const inboundOf = (id: string) => inbound.records.filter((r) => r.value.wamid === id);
  const preferencesOf = (person: TestPerson, status: 'granted' | 'revoked', occurredAt: string) =>
    consents.records.filter((r) => r.key === person.personId && r.value.status === status && r.value.occurredAt === occurredAt);

  /** Waits until the events of a valid delivery are on all three topics. */
  async function seen(
    person: TestPerson,
    read: { wamid: string },
    inboundId: string,
    preference: 'granted' | 'revoked',
    occurredAt: string,
  ): Promise<void> {
    await statuses.waitFor((s) => s.wamid === read.wamid && s.status === 'read');
    await inbound.waitFor((m) => m.wamid === inboundId);
    const change = await consents.waitFor(
      (c) =>
        c.status === preference &&
        c.occurredAt === occurredAt &&
        c.source === 'whatsapp-user-preferences' &&
        // A stop names the person by personId, a resume (a grant) by number.
        (c.personId === person.personId || c.phone === person.e164),
    );
    // Attributed: ingest carries it to the consent ledger (issue 15, point 6).
    expect(change.value).toMatchObject({ assertedVia: 'whatsapp_webhook', assertedBy: 'dispatcher' });
  }

  it('a missing or bad X-Hub-Signature-256 gets 401 and publishes nothing on any topic', async () => {
    const person = bed.driver.person();
    const [a, b] = [await sent(person, 'sig-a'), await sent(person, 'sig-b')];
    const refused = delivery(person, { read: a, inboundId: `wamid.in-${run}-refused`, preference: 'stop' });

    expect(await post(refused.body, undefined)).toBe(401);
    expect(await post(refused.body, signWebhookBody(refused.body, randomBytes(24).toString('hex')))).toBe(401); // another app's secret
    expect(await post(refused.body, 'sha256=not-hex')).toBe(401);
    // Signed by the right secret, but over other bytes: the signature covers the raw body.
    expect(
      await post(refused.body, signWebhookBody(refused.body.replace('Is it still on sale?', 'Is it still on sale!'), bed.stack.appSecret)),
    ).toBe(401);

    // A later valid delivery for the same person: its events land after anything the refused ones published.
    const later = delivery(person, { read: b, inboundId: `wamid.in-${run}-later`, preference: 'resume' });
    expect(await post(later.body, signWebhookBody(later.body, bed.stack.appSecret))).toBe(200);
    await seen(person, b, `wamid.in-${run}-later`, 'granted', later.occurredAt);
    expect(readsOf(a.wamid)).toEqual([]);
    expect(inboundOf(`wamid.in-${run}-refused`)).toEqual([]);
    expect(preferencesOf(person, 'revoked', refused.occurredAt)).toEqual([]);

    // Nothing of the refused deliveries was recorded either: signed, the same events go through, once.
    expect(await post(refused.body, signWebhookBody(refused.body, bed.stack.appSecret))).toBe(200);
    await seen(person, a, `wamid.in-${run}-refused`, 'revoked', refused.occurredAt);
    expect(readsOf(a.wamid)).toHaveLength(1);
    expect(inboundOf(`wamid.in-${run}-refused`)).toHaveLength(1);
    expect(preferencesOf(person, 'revoked', refused.occurredAt)).toHaveLength(1);
  });

  it('the same signed delivery posted again (Meta retries, even concurrently) publishes each event once', async () => {
    const person = bed.driver.person();
    const [c, d] = [await sent(person, 'dup-c'), await sent(person, 'dup-d')];
    const twice = delivery(person, { read: c, inboundId: `wamid.in-${run}-twice`, preference: 'stop' });
    const signature = signWebhookBody(twice.body, bed.stack.appSecret);

    expect(await Promise.all([post(twice.body, signature), post(twice.body, signature)])).toEqual([200, 200]);
    expect(await post(twice.body, signature)).toBe(200);

    const later = delivery(person, { read: d, inboundId: `wamid.in-${run}-after-dup`, preference: 'resume' });
    expect(await post(later.body, signWebhookBody(later.body, bed.stack.appSecret))).toBe(200);
    await seen(person, d, `wamid.in-${run}-after-dup`, 'granted', later.occurredAt);

    expect(readsOf(c.wamid).map((r) => r.value)).toEqual([
      expect.objectContaining({ decisionId: c.decisionId, status: 'read', reportedBy: 'webhook' }),
    ]);
    const messages = inboundOf(`wamid.in-${run}-twice`);
    expect(messages).toHaveLength(1);
    const stops = preferencesOf(person, 'revoked', twice.occurredAt);
    expect(stops).toHaveLength(1);
    // Keyed by the person; the number travels only sealed (inbound) or in the consent payload, never in a key.
    expect(messages[0]?.key).toBe(person.personId);
    expect(JSON.stringify(messages[0]?.value)).not.toContain(person.digits);
    expect(stops[0]?.key).toBe(person.personId);
    // Published right after their commits (the outbox's rows deleted then), none left to the relay.
    await eventually('the webhook outbox emptied by the publishes after the commits', async () => {
      const { rows } = await bed.db.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_outbox`);
      return rows[0]?.n === 0 ? true : undefined;
    });
  });

  it('answers the verification challenge with the right verify token only', async () => {
    const verify = async (query: Record<string, string>) => {
      const response = await fetch(`${bed.stack.dispatcher.url}/v1/webhooks/whatsapp?${new URLSearchParams(query).toString()}`);
      return { status: response.status, body: await response.text() };
    };
    expect(await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': bed.stack.verifyToken, 'hub.challenge': '1158201444' })).toEqual({
      status: 200,
      body: '1158201444',
    });
    const refusals: Record<string, string>[] = [
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'not-the-token', 'hub.challenge': '1158201444' },
      { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444' },
      { 'hub.mode': 'unsubscribe', 'hub.verify_token': bed.stack.verifyToken, 'hub.challenge': '1158201444' },
    ];
    for (const refused of refusals) {
      const answer = await verify(refused);
      expect(answer.status).toBe(403);
      expect(answer.body).not.toContain('1158201444');
    }
  });
});
