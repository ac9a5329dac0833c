import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { type DeadLetterV1, Topic } from '@wt/contracts';
import { DeadLetterSealer } from '@wt/kafka';
import { type TopicProbe, testVaultEnv } from '@wt/testing';
import { contactSealerOf, keyVaultOf, vaultDataSource } from '@wt/vault';
import { type DataSource } from 'typeorm';
import { type InboundMessage, type MessageStatusUpdate, signWebhookBody, type UserPreference } from '@wt/whatsapp';
import { createHash, randomUUID } from 'node:crypto';
import { type TestPerson, DispatcherTestBed } from '../testing/dispatcher-fixtures';

/**
 * Issue 15, points 3, 7 and 8, on the real broker, the real Postgres and the built dispatcher:
 * a STOP typed to ANY business number the dispatcher knows revokes that business's marketing
 * consent, named by personId (never the number); a marketing-stop preference too; statuses that
 * match no message are counted and dead-lettered without the recipient's number.
 */
describe('dispatcher webhooks: STOP to any business number, revocations without numbers, nothing unmatched vanishes', () => {
  const run = randomUUID().slice(0, 8);
  // A number the dispatcher knows (a decision names it) but no assistant serves; and one nobody names.
  const knownNumber = `5${Date.now()}`.slice(0, 15);
  const unknownNumber = `4${Date.now()}`.slice(0, 15);
  let bed: DispatcherTestBed;
  let consents: TopicProbe<Topic.ConsentV1>;
  let inbound: TopicProbe<Topic.WhatsappInboundV1>;
  let deadLetters: TopicProbe<Topic.DeadLetterV1>;
  let vaultDb: DataSource;
  let clock = Math.floor(Date.now() / 1000);
  let n = 0;

  beforeAll(async () => {
    bed = await DispatcherTestBed.create(
      run,
      'webhook_consent',
      { PAIR_INTERVAL_MS: '0', SENDER_POLL_MS: '50' },
      { SANDBOX_PAIR_INTERVAL_MS: '0' },
    );
    vaultDb = vaultDataSource({ ...loadConfig(class extends withKeyVault(ServiceEnv) {}, { ...testVaultEnv() }) }, 'it-webhook-consent');
    await vaultDb.initialize();
    [consents, inbound, deadLetters] = await bed.start(Topic.ConsentV1, Topic.WhatsappInboundV1, Topic.DeadLetterV1);
    // The dispatcher learns the known number's business from a decision it sends.
    const decision = bed.driver.decision(bed.driver.person(), 'learn-number', knownNumber);
    await bed.driver.publishDecisions(decision);
    await bed.driver.ledgerUntil(decision.decisionId, 'accepted', (r) => r.state === 'accepted');
  }, 120_000);

  afterAll(async () => {
    await bed?.stop();
    await vaultDb?.destroy();
  });

  function webhook(phoneNumberId: string, value: { statuses?: MessageStatusUpdate[]; messages?: InboundMessage[] }): string {
    const metadata = { display_phone_number: '15550001234', phone_number_id: phoneNumberId };
    return JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '100000000000001', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata, ...value } }] }],
    });
  }

  function preferenceWebhook(phoneNumberId: string, preference: UserPreference): string {
    const metadata = { display_phone_number: '15550001234', phone_number_id: phoneNumberId };
    return JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '100000000000001',
          changes: [{ field: 'user_preferences', value: { messaging_product: 'whatsapp', metadata, user_preferences: [preference] } }],
        },
      ],
    });
  }

  async function post(body: string): Promise<void> {
    const response = await fetch(`${bed.stack.dispatcher.url}/v1/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, bed.stack.appSecret) },
      body,
    });
    await response.text();
    expect(response.status).toBe(200);
  }

  /** A person writes `text` to a business number; resolves once the inbound message is published. */
  async function write(person: TestPerson, phoneNumberId: string, text: string): Promise<{ wamid: string; receivedAt: string }> {
    const timestamp = String(++clock);
    const wamid = `wamid.stop-${run}-${++n}`;
    await post(webhook(phoneNumberId, { messages: [{ from: person.digits, id: wamid, timestamp, type: 'text', text: { body: text } }] }));
    await inbound.waitFor((m) => m.wamid === wamid);
    return { wamid, receivedAt: new Date(Number(timestamp) * 1000).toISOString() };
  }

  const sha256 = (value: object) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

  /** A dead letter's original, opened as the replay command does (a sealer over the test stack's vault). */
  async function openedPayload(letter: DeadLetterV1): Promise<unknown> {
    const config = loadConfig(class extends withKeyVault(ServiceEnv) {}, { ...testVaultEnv() });
    const opened = await new DeadLetterSealer(contactSealerOf(keyVaultOf(vaultDb, config), config)).openLetter(letter, { fresh: true });
    return opened.ok ? (JSON.parse(opened.value.toString('utf8')) as unknown) : opened;
  }

  /**
   * The dead letter of an unmatched webhook event of this `kind` whose original is `expected`:
   * published by the HTTP door, its payload sealed (it opens, with the vault, to `expected`),
   * the kind in a clear header. Returns the record.
   */
  async function webhookDeadLetter(reason: DeadLetterV1['reason'], kind: 'preference' | 'status', expected: object) {
    const dead = await deadLetters.waitFor((d) => d.reason === reason && d.payloadSha256 === sha256(expected));
    expect(dead.value).toMatchObject({
      originTopic: 'http',
      service: 'dispatcher',
      payloadBase64: '',
      headers: { 'wt-webhook-event': kind },
    });
    expect(await openedPayload(dead.value)).toEqual(expected);
    return dead;
  }

  async function metric(name: string, labels: string): Promise<number> {
    const text = await (await fetch(`${bed.stack.dispatcher.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels},`) || l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it.each(['STOP', ' désabonner ', 'Arrêt', 'unsubscribe'])(
    'typed %p to a number no assistant serves: the business revokes, named by personId, never the number',
    async (word) => {
      const person = bed.driver.person();
      const message = await write(person, knownNumber, word);
      const revocation = await consents.waitFor((c) => c.personId === person.personId);
      expect(revocation.key).toBe(person.personId);
      // Same person, business, time and source as the assistant's record for a STOP it serves: the ledger keeps
      // one row. Each says who asserted it (issue 15, point 6).
      expect(revocation.value).toEqual({
        personId: person.personId,
        purpose: 'whatsapp_marketing',
        businessId: `biz-${run}`,
        status: 'revoked',
        occurredAt: message.receivedAt,
        source: 'whatsapp-reply',
        assertedVia: 'whatsapp_webhook',
        assertedBy: 'dispatcher',
      });
      expect(JSON.stringify(revocation.value)).not.toContain(person.digits.slice(2));
    },
  );

  it('a message that only contains STOP in a sentence revokes nothing; a STOP to an unknown number is counted', async () => {
    const person = bed.driver.person();
    const before = await metric('wt_webhook_unmatched_total', 'kind="stop",reason="unknown_business_number"');
    await write(person, knownNumber, 'how do I stop my order?');
    await write(person, unknownNumber, 'STOP');
    // Ordering, not waiting: a later STOP of the same person (same key, same partition) is seen first.
    await write(person, knownNumber, 'STOP');
    await consents.waitFor((c) => c.personId === person.personId);
    expect(consents.records.filter((r) => r.key === person.personId)).toHaveLength(1);
    expect(await metric('wt_webhook_unmatched_total', 'kind="stop",reason="unknown_business_number"')).toBe(before + 1);
  });

  it('a marketing-stop preference revokes by personId; a resume (a grant) still carries the number', async () => {
    const person = bed.driver.person();
    const preference = (value: 'stop' | 'resume'): UserPreference => ({
      wa_id: person.digits,
      category: 'marketing_messages',
      value,
      timestamp: String(++clock),
      detail: 'User tapped stop',
    });
    const stop = preference('stop');
    await post(preferenceWebhook(knownNumber, stop));
    const revoked = await consents.waitFor((c) => c.personId === person.personId && c.status === 'revoked');
    expect(revoked.value).toEqual({
      personId: person.personId,
      purpose: 'whatsapp_marketing',
      businessId: `biz-${run}`,
      status: 'revoked',
      occurredAt: new Date(Number(stop.timestamp) * 1000).toISOString(),
      source: 'whatsapp-user-preferences',
      assertedVia: 'whatsapp_webhook',
      assertedBy: 'dispatcher',
    });
    await post(preferenceWebhook(knownNumber, preference('resume')));
    const granted = await consents.waitFor((c) => c.phone === person.e164 && c.status === 'granted');
    expect(granted.key).toBe(person.personId);
  });

  it('a marketing stop to a number no campaign names is counted and dead-lettered without the number', async () => {
    const person = bed.driver.person();
    const before = await metric('wt_webhook_unmatched_total', 'kind="preference",reason="unknown_business_number"');
    const stop: UserPreference = { wa_id: person.digits, category: 'marketing_messages', value: 'stop', timestamp: String(++clock) };
    await post(preferenceWebhook(unknownNumber, stop));
    const expected = {
      phoneNumberId: unknownNumber,
      personId: person.personId,
      category: 'marketing_messages',
      value: 'stop',
      timestamp: stop.timestamp,
    };
    // Sealed as every dead letter, under the person's key: it opens (with the vault) to the event without the number.
    const dead = await webhookDeadLetter('unknown_business_number', 'preference', expected);
    expect(dead.value.sealedPayload).toMatch(new RegExp(`^v2\\.${person.personId}\\.`));
    expect(JSON.stringify(dead)).not.toContain(person.digits.slice(2));
    expect(await metric('wt_webhook_unmatched_total', 'kind="preference",reason="unknown_business_number"')).toBe(before + 1);
  });

  it('a status nobody matches is counted and dead-lettered once, without the recipient; a repeated one is counted only', async () => {
    const person = bed.driver.person();
    const unknownBefore = await metric('wt_webhook_unmatched_total', 'kind="status",reason="unknown_message"');
    const repeatedBefore = await metric('wt_webhook_unmatched_total', 'kind="status",reason="repeated"');
    const wamid = `wamid.nobody-${run}`;
    const status: MessageStatusUpdate = {
      id: wamid,
      status: 'failed',
      timestamp: String(++clock),
      recipient_id: person.digits,
      errors: [{ code: 131026, title: 'Message undeliverable' }],
    };
    const body = webhook(knownNumber, { statuses: [status] });
    await post(body);
    await post(body); // Meta's redelivery: counted again, dead-lettered once
    const expected = {
      phoneNumberId: knownNumber,
      id: wamid,
      status: 'failed',
      timestamp: status.timestamp,
      errors: [{ code: 131026, title: 'Message undeliverable' }],
    };
    const dead = await webhookDeadLetter('unmatched_status', 'status', expected);
    expect(JSON.stringify(dead)).not.toContain(person.digits.slice(2));
    expect(await metric('wt_webhook_unmatched_total', 'kind="status",reason="unknown_message"')).toBe(unknownBefore + 2);

    // A status of a message we sent, delivered twice: the second is a repeat, counted, not dead-lettered.
    const decision = bed.driver.decision(person, 'repeat', knownNumber);
    await bed.driver.publishDecisions(decision);
    const row = await bed.driver.ledgerUntil(decision.decisionId, 'accepted', (r) => r.state === 'accepted' && r.wamid !== null);
    const read = webhook(knownNumber, {
      statuses: [{ id: row.wamid as string, status: 'read', timestamp: String(++clock), recipient_id: person.digits }],
    });
    await post(read);
    await post(read);
    expect(await metric('wt_webhook_unmatched_total', 'kind="status",reason="repeated"')).toBeGreaterThanOrEqual(repeatedBefore + 1);
    const unmatched = deadLetters.records.filter((r) => r.value?.reason === 'unmatched_status');
    const opened = await Promise.all(unmatched.map(async (r) => JSON.stringify(r.value ? await openedPayload(r.value) : null)));
    expect(opened.filter((text) => text.includes(wamid))).toHaveLength(1);
    expect(opened.filter((text) => text.includes(row.wamid as string))).toEqual([]);
  });
});
