import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { type InboundMessageV1, type TargetingDecisionV1, Topic, TOPIC_SPECS } from '@wt/contracts';
import { createKafka, ensureTopics } from '@wt/kafka';
import { addressOf, Pseudonymizer } from '@wt/identity';
import { TopicProbe, testBrokers, testVaultEnv } from '@wt/testing';
import { contactSealerOf, keyVaultOf, PostgresPersonIdentifiers, vaultDataSource } from '@wt/vault';
import { signWebhookBody } from '@wt/whatsapp';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { type DataSource } from 'typeorm';
import { dispatcherStack, type DispatcherStack, freshDatabase } from '../testing/dispatcher-children';
import { DispatchDriver, type TestPerson } from '../testing/dispatcher-fixtures';

interface SandboxIds {
  wa_id?: string;
  user_id: string;
  parent_user_id?: string;
  username?: string;
}

/**
 * Issue 17, point 2, on the real broker, the real Postgres (dispatcher and key vault) and the built
 * dispatcher against the built sandbox: people known by a number, a business-scoped user id
 * (BSUID), or both. Webhooks that carry only a BSUID reach the right person, consent and
 * dispatch; a person known only by BSUID is sent to by BSUID; a change of number is followed;
 * no BSUID nor username appears in clear in a log line or a Kafka key.
 */
describe('dispatcher: business-scoped user ids and usernames (WhatsApp 2026)', () => {
  const run = randomUUID().slice(0, 8);
  const phoneNumberId = `6${Date.now()}`.slice(0, 15);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let stack: DispatcherStack;
  let driver: DispatchDriver;
  let inbound: TopicProbe<Topic.WhatsappInboundV1>;
  let consents: TopicProbe<Topic.ConsentV1>;
  let statuses: TopicProbe<Topic.WhatsappMessageStatusV1>;
  let merges: TopicProbe<Topic.IdentityMergesV1>;
  let vaultDb: DataSource;
  let identifiers: PostgresPersonIdentifiers;
  let pseudonymizer: Pseudonymizer;
  /** How long a step may take: generous, for a shared 2-core machine under load (not a speed check). */
  const STEP_MS = 120_000;
  /** Every BSUID and username the sandbox gave out in this file: none may appear in a log line or a key. */
  const secrets: string[] = [];

  beforeAll(async () => {
    db = await freshDatabase(`wt_it_webhook_identity_${run}`);
    stack = await dispatcherStack(
      run,
      db.url,
      { PAIR_INTERVAL_MS: '0', SENDER_POLL_MS: '50' },
      { SANDBOX_PAIR_INTERVAL_MS: '0', SANDBOX_STATUS_DELAY_MS: '20', SANDBOX_READ_RATE: '1' },
    );
    driver = new DispatchDriver(stack, db.pg, run);
    pseudonymizer = new Pseudonymizer(stack.pseudonymSecret);
    vaultDb = vaultDataSource(loadConfig(class extends withKeyVault(ServiceEnv) {}, { ...testVaultEnv() }), 'it-webhook-identity');
    await vaultDb.initialize();
    identifiers = new PostgresPersonIdentifiers(vaultDb);
    await ensureTopics(createKafka({ brokers: testBrokers(), clientId: `it-webhook-identity-${run}` }), [
      TOPIC_SPECS[Topic.IdentityMergesV1],
    ]);
    [inbound, consents, statuses, merges] = await Promise.all([
      TopicProbe.start(testBrokers(), Topic.WhatsappInboundV1),
      TopicProbe.start(testBrokers(), Topic.ConsentV1),
      TopicProbe.start(testBrokers(), Topic.WhatsappMessageStatusV1),
      TopicProbe.start(testBrokers(), Topic.IdentityMergesV1),
      stack.sandbox.start(),
      driver.connect(),
    ]);
    await stack.dispatcher.start();
  }, 300_000); // a dispatcher and a sandbox started as processes: minutes on a loaded 2-core machine

  afterAll(async () => {
    await Promise.all([inbound?.stop(), consents?.stop(), statuses?.stop(), merges?.stop(), driver?.disconnect()]);
    await stack?.dispatcher.kill('SIGKILL');
    await stack?.sandbox.kill('SIGKILL');
    await db?.drop();
    await vaultDb?.destroy();
  });

  async function sandbox<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${stack.sandbox.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** How the sandbox's WhatsApp user appears to the business from now on. */
  async function user(person: TestPerson, settings: { username?: string; hidePhone?: boolean; parentId?: boolean }): Promise<SandboxIds> {
    const ids = await sandbox<SandboxIds>('POST', '/sandbox/users', { phone: person.e164, ...settings });
    secrets.push(ids.user_id, ...(ids.parent_user_id ? [ids.parent_user_id] : []), ...(ids.username ? [ids.username] : []));
    return ids;
  }

  /** A person writes through the sandbox (by number or by BSUID); resolves with what the dispatcher published. */
  async function write(from: { from: string } | { fromUserId: string }, text: string): Promise<InboundMessageV1> {
    const { id } = await sandbox<{ id: string }>('POST', '/sandbox/inbound', { ...from, phoneNumberId, text });
    return (await inbound.waitFor((m) => m.wamid === id, STEP_MS)).value;
  }

  /** A decision sent and delivered through the sandbox; resolves once the dispatcher published `delivered`. */
  async function sendAndDeliver(decision: TargetingDecisionV1): Promise<void> {
    await driver.publishDecisions(decision);
    await statuses.waitFor((s) => s.decisionId === decision.decisionId && s.status === 'delivered', STEP_MS);
  }

  /** The dispatcher learns the business of the number, and the person's BSUID from the status webhooks of a send to their number. */
  async function knownByNumberAndBsuid(label: string): Promise<{ person: TestPerson; ids: SandboxIds }> {
    const person = driver.person();
    const ids = await user(person, { username: `u_${label}_${run}`, parentId: true });
    await sendAndDeliver(driver.decision(person, label, phoneNumberId));
    await expect(resolvesTo(ids.user_id)).resolves.toBe(person.personId);
    return { person, ids };
  }

  /**
   * A person who shares no number writes first: the platform knows them by BSUID only (a new person,
   * their sealed BSUID as contact). Returns them, their ids and the decision scoring would make for
   * them, sent to that contact.
   */
  async function knownByBsuidOnly(label: string, text: string) {
    const person = driver.person();
    const ids = await user(person, { username: `${label}_${run}`, hidePhone: true });
    const message = await write({ fromUserId: ids.user_id }, text);
    const personId = pseudonymizer.personIdOfBusinessScopedUser(ids.user_id);
    expect(message.personId).toBe(personId);
    const decision: TargetingDecisionV1 = {
      ...driver.decision({ ...person, personId }, label, phoneNumberId),
      send: { phoneNumberId, contact: message.contact, templateName: 'spring_sale', language: 'en', bodyParameters: [] },
    };
    return { person, ids, message, decision };
  }

  const resolvesTo = async (bsuid: string): Promise<string | undefined> => {
    const digest = pseudonymizer.identifierDigest('bsuid', bsuid);
    for (let i = 0; i < STEP_MS / 50; i++) {
      const found = (await identifiers.resolve([digest])).get(digest);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return undefined;
  };

  it(
    'a status webhook carrying the BSUID links it to the dispatch’s person; an inbound message carrying only the BSUID then resolves to that person',
    async () => {
      const { person, ids } = await knownByNumberAndBsuid('link');
      // The user adopts a username and withholds their number: the business sees only the BSUID.
      await user(person, { username: ids.username, hidePhone: true, parentId: true });
      const message = await write({ fromUserId: ids.user_id }, 'do you deliver on Sundays?');
      expect(message.personId).toBe(person.personId);
      // Their consent and profile are keyed by this personId: the same as their number's.
      expect(message.personId).toBe(pseudonymizer.personId(person.e164));
      // A reply goes to the BSUID (the number is not shared any more): the sealed contact opens to it.
      const config = loadConfig(class extends withKeyVault(ServiceEnv) {}, { ...testVaultEnv() });
      const opened = await contactSealerOf(keyVaultOf(vaultDb, config), config).open(message.contact, { fresh: true });
      expect(opened.ok && addressOf(opened.e164)).toEqual({ kind: 'bsuid', bsuid: ids.user_id });
    },
    4 * STEP_MS,
  );

  it(
    'STOP typed by a user known only by BSUID revokes the business’s marketing consent of the right person',
    async () => {
      const { person, ids } = await knownByNumberAndBsuid('stop');
      await user(person, { hidePhone: true });
      const message = await write({ fromUserId: ids.user_id }, 'STOP');
      const revocation = await consents.waitFor((c) => c.personId === person.personId && c.source === 'whatsapp-reply', STEP_MS);
      expect(revocation.key).toBe(person.personId);
      expect(revocation.value).toMatchObject({
        personId: person.personId,
        businessId: `biz-${run}`,
        status: 'revoked',
        occurredAt: message.receivedAt,
      });
    },
    4 * STEP_MS,
  );

  it(
    'a user_preferences marketing stop naming only the BSUID revokes the right person’s consent',
    async () => {
      const { person, ids } = await knownByNumberAndBsuid('preference');
      const timestamp = String(Math.floor(Date.now() / 1000));
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '100000000000001',
            changes: [
              {
                field: 'user_preferences',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550001234', phone_number_id: phoneNumberId },
                  contacts: [{ profile: { name: 'A', username: ids.username }, user_id: ids.user_id }],
                  user_preferences: [{ user_id: ids.user_id, category: 'marketing_messages', value: 'stop', timestamp }],
                },
              },
            ],
          },
        ],
      });
      const response = await fetch(`${stack.dispatcher.url}/v1/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, stack.appSecret) },
        body,
      });
      expect(response.status).toBe(200);
      const revocation = await consents.waitFor((c) => c.personId === person.personId && c.source === 'whatsapp-user-preferences', STEP_MS);
      expect(revocation.value).toMatchObject({ status: 'revoked', businessId: `biz-${run}`, purpose: 'whatsapp_marketing' });
    },
    4 * STEP_MS,
  );

  it(
    'a person known only by BSUID is sent to by BSUID (`recipient`), and the statuses that carry only the BSUID update that dispatch',
    async () => {
      // Scoring's decision carries the contact profiles kept from their first message.
      const { person, ids, message, decision } = await knownByBsuidOnly('only', 'hello');
      expect(message.personId).not.toBe(pseudonymizer.personId(person.e164));
      await sendAndDeliver(decision);
      const sent = await sandbox<{ to: string; toBsuid?: boolean; bizOpaqueCallbackData?: string }[]>(
        'GET',
        `/sandbox/messages?to=${encodeURIComponent(ids.user_id)}`,
      );
      expect(sent).toEqual([expect.objectContaining({ to: ids.user_id, toBsuid: true, bizOpaqueCallbackData: decision.decisionId })]);
      const row = await driver.ledgerUntil(decision.decisionId, 'delivered and read', (r) => r.statuses.includes('read'), STEP_MS);
      expect(row.state).toBe('accepted');
      await statuses.waitFor((s) => s.decisionId === decision.decisionId && s.status === 'read', STEP_MS);
      const published = statuses.records.filter((r) => r.value.decisionId === decision.decisionId);
      expect(published.map((r) => r.value.status)).toEqual(expect.arrayContaining(['accepted', 'sent', 'delivered', 'read']));
      for (const r of published) expect(r.key).toBe(message.personId);
    },
    4 * STEP_MS,
  );

  it(
    'a change of number is followed: the new number and BSUID reach the same person, and the next send goes to the new number',
    async () => {
      const { person, ids } = await knownByNumberAndBsuid('moved');
      const newNumber = driver.person();
      const { after } = await sandbox<{ after: SandboxIds }>('POST', '/sandbox/users/change-number', {
        phone: person.e164,
        newPhone: newNumber.e164,
        phoneNumberId,
      });
      secrets.push(after.user_id);
      expect(after.user_id).not.toBe(ids.user_id);
      await expect(resolvesTo(after.user_id)).resolves.toBe(person.personId);
      // They write from the new number: the same person (and so the same consent), not the new number's pseudonym.
      const message = await write({ from: newNumber.e164 }, 'it is me, new number');
      expect(message.personId).toBe(person.personId);
      expect(message.personId).not.toBe(newNumber.personId);
      // A decision made with the contact collected before (the old number) goes to the new one.
      const decision = driver.decision(person, 'after-move', phoneNumberId);
      await driver.publishDecisions(decision);
      await driver.ledgerUntil(decision.decisionId, 'accepted', (r) => r.state === 'accepted', STEP_MS);
      const toNew = await sandbox<{ bizOpaqueCallbackData?: string }[]>(
        'GET',
        `/sandbox/messages?to=${encodeURIComponent(newNumber.e164)}`,
      );
      expect(toNew.map((m) => m.bizOpaqueCallbackData)).toContain(decision.decisionId);
      const toOld = await sandbox<{ bizOpaqueCallbackData?: string }[]>('GET', `/sandbox/messages?to=${encodeURIComponent(person.e164)}`);
      expect(toOld.map((m) => m.bizOpaqueCallbackData)).not.toContain(decision.decisionId);
    },
    4 * STEP_MS,
  );

  it(
    'a person known only by BSUID who later shares their number is merged into the number’s person: their dispatches follow, the merge is published once',
    async () => {
      const { person, ids, message: first, decision } = await knownByBsuidOnly('merge', 'hi, no number for you');
      const bsuidOnly = first.personId;
      await sendAndDeliver(decision);
      // They share their number again: their next message carries the number and the BSUID.
      await user(person, { username: ids.username, hidePhone: false });
      const second = await write({ from: person.e164 }, 'here is my number');
      expect(second.personId).toBe(person.personId);
      const merge = await merges.waitFor((m) => m.fromPersonId === bsuidOnly, STEP_MS);
      expect(merge.key).toBe(person.personId);
      expect(merge.value).toMatchObject({ intoPersonId: person.personId, via: 'bsuid' });
      // The dispatch made to the BSUID-only person is the number's person's now (the same transaction as the merge).
      const { rows } = await db.pg.query<{ person_id: string }>(`SELECT person_id FROM dispatch WHERE decision_id = $1`, [
        decision.decisionId,
      ]);
      expect(rows).toEqual([{ person_id: person.personId }]);
      // The BSUID alone names the number's person from now on, and nothing more is merged.
      await user(person, { username: ids.username, hidePhone: true });
      expect((await write({ fromUserId: ids.user_id }, 'me again')).personId).toBe(person.personId);
      expect(merges.records.filter((r) => r.value.fromPersonId === bsuidOnly)).toHaveLength(1);
    },
    6 * STEP_MS,
  );

  it('no BSUID, parent id nor username in clear in a log line, a Kafka key or a published value', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    const logs = fs.readFileSync(stack.dispatcher.logFile, 'utf8') + fs.readFileSync(stack.sandbox.logFile, 'utf8');
    expect(logs.length).toBeGreaterThan(0);
    const records = [...inbound.records, ...consents.records, ...statuses.records, ...merges.records];
    const keys = records.map((r) => r.key ?? '').join('\n');
    const values = records.map((r) => JSON.stringify(r.value)).join('\n');
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(keys).not.toContain(secret);
      expect(values).not.toContain(secret);
    }
    // And the identifier links hold only digests and sealed values.
    const stored = JSON.stringify(await vaultDb.query(`SELECT * FROM person_identifier`));
    for (const secret of secrets) expect(stored).not.toContain(secret);
  });
});
