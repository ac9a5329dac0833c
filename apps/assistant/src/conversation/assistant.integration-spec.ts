/**
 * @jest-environment ./tools/testing/onnx-environment.cjs
 */
import { type INestApplication } from '@nestjs/common';
import { loadConfig } from '@wt/config';
import { type InboundMessageV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { ContactSealer, PlatformKeySealer } from '@wt/identity';
import { createKafka, ensureTopics, KafkaPublisher, parseTraceContext } from '@wt/kafka';
import { runService } from '@wt/runtime';
import { eventually, inProcessServiceEnv, localUrlOf, sleep, testBrokers, testVaultEnv, TopicProbe } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { assistantModule } from '../app.module';
import { AssistantConfig } from '../assistant.config';
import { ApiKeyStore } from '@wt/business-auth';
import { PostgresKeyVault } from '@wt/vault';
import { modelFiles } from '../retrieval/model-files';
import { MESSAGES } from './assistant-messages';

const HOUR = 3_600_000;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

/**
 * The assistant on the real broker and the real database: conversations in French and English
 * go in on whatsapp.inbound.v1, replies, handoffs, consent revocations and erasure requests come out.
 */
describe('assistant on the real broker and Postgres', () => {
  const brokers = testBrokers();
  const contactKey = randomBytes(32).toString('base64');
  // Sealed with the former platform key (v1), which the assistant still opens as CONTACT_KEY.
  const sealer = new PlatformKeySealer(contactKey);
  const publisher = new KafkaPublisher(createKafka({ brokers, clientId: 'assistant-it' }));
  const businessId = `biz-${randomUUID().slice(0, 8)}`;
  const otherBusinessId = `biz-${randomUUID().slice(0, 8)}`;
  const phoneNumberId = digits(15);
  // A business that teaches in French only: its confirmations are in French when the message does not tell.
  const frenchBusinessId = `biz-${randomUUID().slice(0, 8)}`;
  const frenchNumberId = digits(15);
  let app: INestApplication;
  let url: string;
  let apiKey: string;
  let otherKey: string;
  let replies: TopicProbe<Topic.AssistantRepliesV1>;
  let handoffs: TopicProbe<Topic.AssistantHandoffsV1>;
  let consents: TopicProbe<Topic.ConsentV1>;
  let privacy: TopicProbe<Topic.PrivacyRequestsV1>;
  let exports: TopicProbe<Topic.PrivacyExportsV1>;
  const entryIds: Record<string, string> = {};

  const api = async (method: string, path: string, key: string | undefined, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  /** A person: pseudonym, phone and sealed contact. */
  const person = () => {
    const phone = `+336${digits(8)}`;
    return { personId: hex(32), phone, contact: sealer.seal(phone) };
  };

  const send = async (
    who: ReturnType<typeof person>,
    text: string,
    receivedAt = new Date(),
    headers?: Record<string, string>,
    toNumber = phoneNumberId,
  ): Promise<InboundMessageV1> => {
    const message: InboundMessageV1 = {
      wamid: `wamid.${hex(12)}`,
      personId: who.personId,
      contact: who.contact,
      phoneNumberId: toNumber,
      kind: 'text',
      text,
      receivedAt: receivedAt.toISOString(),
    };
    await publisher.publish(Topic.WhatsappInboundV1, [{ key: who.personId, value: message, headers }]);
    return message;
  };

  const replyTo = async (message: InboundMessageV1) => (await replies.waitFor((r) => r.inReplyToWamid === message.wamid)).value;

  beforeAll(async () => {
    await ensureTopics(createKafka({ brokers, clientId: 'assistant-it' }));
    const model = modelFiles();
    const config = loadConfig(AssistantConfig, {
      ...inProcessServiceEnv('assistant'),
      CONTACT_KEY: contactKey,
      ...testVaultEnv(),
      LOG_LEVEL: 'warn',
      // Long enough for the tests to see a request held, short enough to see one released by the wait.
      ERASURE_CONFIRMATION_WAIT_MS: '15000',
      ERASURE_RELEASE_INTERVAL_MS: '500',
      // The model the stack fetched from Maven Central (fetched here if this run's setup did not).
      EMBEDDING_MODEL: model.model,
      EMBEDDING_TOKENIZER: model.tokenizer,
    });
    [replies, handoffs, consents, privacy, exports] = await Promise.all([
      TopicProbe.start(brokers, Topic.AssistantRepliesV1),
      TopicProbe.start(brokers, Topic.AssistantHandoffsV1),
      TopicProbe.start(brokers, Topic.ConsentV1),
      TopicProbe.start(brokers, Topic.PrivacyRequestsV1),
      TopicProbe.start(brokers, Topic.PrivacyExportsV1),
    ]);
    app = await runService({
      name: 'assistant',
      module: assistantModule(config),
      port: 0,
      host: '127.0.0.1',
      // A new group from the end of the topics: only this run's messages.
      consumer: {
        connection: { brokers, clientId: 'assistant-it' },
        groupId: `${config.KAFKA_GROUP_PREFIX}.assistant`,
        fromBeginning: false,
      },
    });
    url = await localUrlOf(app);
    await eventually('assistant ready', async () => ((await fetch(`${url}/health/ready`)).ok ? true : undefined), 60_000);
    const keys = app.get(ApiKeyStore);
    apiKey = (await keys.issue(businessId)).apiKey;
    otherKey = (await keys.issue(otherBusinessId)).apiKey;

    expect((await api('PUT', `/v1/phone-numbers/${phoneNumberId}`, apiKey)).status).toBe(201);
    const teach = [
      {
        id: 'hours-fr',
        language: 'fr',
        question: "Quels sont vos horaires d'ouverture ?",
        variants: ['Quand êtes-vous ouverts ?'],
        answer: 'Nous sommes ouverts du lundi au samedi, de 9h à 19h.',
      },
      {
        id: 'hours-en',
        language: 'en',
        question: 'What are your opening hours?',
        variants: ['When are you open?'],
        answer: 'We are open Monday to Saturday, 9am to 7pm.',
      },
      {
        id: 'returns-fr',
        language: 'fr',
        question: 'Comment retourner un article ?',
        variants: [],
        answer: 'Rapportez-le en magasin sous 30 jours avec le ticket.',
      },
      {
        id: 'returns-en',
        language: 'en',
        question: 'How do I return an item?',
        variants: [],
        answer: 'Bring it back to the shop within 30 days with the receipt.',
      },
    ];
    const frenchKey = (await keys.issue(frenchBusinessId)).apiKey;
    expect((await api('PUT', `/v1/phone-numbers/${frenchNumberId}`, frenchKey)).status).toBe(201);
    expect(
      (
        await api('POST', '/v1/knowledge', frenchKey, {
          language: 'fr',
          question: 'Livrez-vous à domicile ?',
          answer: 'Oui, sous 48 h.',
        })
      ).status,
    ).toBe(201);
    for (const { id, ...entry } of teach) {
      const created = await api('POST', '/v1/knowledge', apiKey, entry);
      expect(created.status).toBe(201);
      entryIds[id] = String(created.body['id']);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([replies, handoffs, consents, privacy, exports].map((probe) => probe?.stop()));
    await app?.close();
    await publisher.disconnect();
  });

  describe('knowledge base API', () => {
    it('refuses a missing or wrong key with 401', async () => {
      expect((await api('GET', '/v1/knowledge', undefined)).status).toBe(401);
      expect((await api('GET', '/v1/knowledge', `${apiKey.slice(0, -3)}xyz`)).status).toBe(401);
    });

    it("shows a business only its own entries: another business's entry is 404", async () => {
      const own = await api('GET', '/v1/knowledge', apiKey);
      expect((own.body['entries'] as unknown[]).length).toBe(4);
      expect((await api('GET', '/v1/knowledge', otherKey)).body['entries']).toEqual([]);
      expect((await api('GET', `/v1/knowledge/${entryIds['hours-fr']}`, otherKey)).status).toBe(404);
      expect((await api('DELETE', `/v1/knowledge/${entryIds['hours-fr']}`, otherKey)).status).toBe(404);
      expect((await api('GET', `/v1/knowledge/${entryIds['hours-fr']}`, apiKey)).status).toBe(200);
    });

    it('rejects an entry in an unsupported language or without an answer, with the field named', async () => {
      const bad = await api('POST', '/v1/knowledge', apiKey, { language: 'de', question: 'Wann?', answer: '' });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/language/);
      expect(JSON.stringify(bad.body)).toMatch(/answer/);
    });

    it('refuses to register a phone number id another business owns', async () => {
      expect((await api('PUT', `/v1/phone-numbers/${phoneNumberId}`, otherKey)).status).toBe(409);
      expect((await api('PUT', `/v1/phone-numbers/${phoneNumberId}`, apiKey)).status).toBe(200);
    });
  });

  describe('a conversation in French', () => {
    const marie = person();

    it('answers a known question, rephrased, with the business answer', async () => {
      const message = await send(marie, 'Bonjour, vous êtes ouverts quand ?');
      const reply = await replyTo(message);
      expect(reply).toMatchObject({
        businessId,
        personId: marie.personId,
        contact: marie.contact,
        phoneNumberId,
        text: 'Nous sommes ouverts du lundi au samedi, de 9h à 19h.',
      });
      expect(replies.records.find((r) => r.value.inReplyToWamid === message.wamid)?.key).toBe(marie.personId);
    });

    it('hands an unknown question over to a person and says so in French', async () => {
      const message = await send(marie, 'Est-ce que vous vendez des vélos électriques ?');
      const handoff = (await handoffs.waitFor((h) => h.inReplyToWamid === message.wamid)).value;
      expect(handoff).toMatchObject({
        businessId,
        personId: marie.personId,
        reason: 'low_confidence',
        language: 'fr',
        personNotified: true,
      });
      expect(handoff.confidence).toBeLessThan(0.5);
      expect((await replyTo(message)).text).toBe(MESSAGES.fr.handoff);
    });

    it('ARRET revokes whatsapp_marketing for this business, naming the person by personId, never by number', async () => {
      const message = await send(marie, 'ARRÊT');
      const consent = await consents.waitFor((c) => c.personId === marie.personId && c.businessId === businessId);
      // The very record the dispatcher publishes for the same STOP: same time and source, so the ledger keeps one row.
      expect(consent.value).toEqual({
        personId: marie.personId,
        purpose: 'whatsapp_marketing',
        businessId,
        status: 'revoked',
        occurredAt: new Date(message.receivedAt).toISOString(),
        source: 'whatsapp-reply',
        assertedVia: 'assistant',
        assertedBy: 'assistant',
      });
      expect(consent.key).toBe(marie.personId);
      expect(JSON.stringify(consent.value)).not.toContain(marie.phone.slice(3));
      expect((await replyTo(message)).text).toBe(MESSAGES.fr.stop);
    });

    it('POURQUOI explains the last marketing message from its decision', async () => {
      const decision: TargetingDecisionV1 = {
        decisionId: `d-${hex(8)}`,
        campaignId: 'spring-run',
        businessId,
        personId: marie.personId,
        outcome: 'send',
        reason: 'relevant',
        score: 0.71,
        modelVersion: 'interest-overlap-v1',
        explanation: {
          summary: 'Recent interest in running_shoes (relevance 0.71, threshold 0.3).',
          factors: [
            { name: 'interest.running_shoes', value: 5, contribution: 0.6 },
            { name: 'interest.trail', value: 1, contribution: 0.11 },
          ],
          consentBasis: [`whatsapp_marketing:${businessId}`],
        },
        decidedAt: new Date().toISOString(),
        send: { phoneNumberId, contact: marie.contact, templateName: 'spring_run', language: 'fr', bodyParameters: [] },
      };
      await publisher.publish(Topic.TargetingDecisionsV1, [{ key: marie.personId, value: decision }]);
      const dataSource = app.get(DataSource);
      await eventually('decision stored', async () => {
        const rows: unknown[] = await dataSource.query(`SELECT 1 FROM marketing_decision WHERE business_id = $1 AND person_id = $2`, [
          businessId,
          marie.personId,
        ]);
        return rows.length > 0 ? true : undefined;
      });
      const reply = await replyTo(await send(marie, 'Pourquoi ?'));
      expect(reply.text).toContain('running shoes');
      expect(reply.text).toContain('trail');
      expect(reply.text).toMatch(/^Vous avez reçu notre dernier message/);
    });

    it('SUPPRIMER confirms first, and files the erasure request once the confirmation has left', async () => {
      const message = await send(marie, 'supprimer');
      const confirmation = await replyTo(message);
      expect(confirmation.text).toBe(MESSAGES.fr.delete);
      // Held: erasure would shred the key the dispatcher needs to send the confirmation.
      await sleep(1000);
      expect(privacy.records.filter((p) => p.value.phone === marie.phone)).toEqual([]);
      await publisher.publish(Topic.WhatsappMessageStatusV1, [
        {
          key: marie.personId,
          value: {
            decisionId: `reply:${confirmation.replyId}`,
            businessId,
            personId: marie.personId,
            status: 'accepted',
            wamid: `wamid.${hex(12)}`,
            occurredAt: new Date().toISOString(),
            reportedBy: 'dispatcher',
          },
        },
      ]);
      const request = await privacy.waitFor((p) => p.phone === marie.phone);
      expect(request.value.type).toBe('erasure');
      expect(request.key).toBe(request.value.requestId);
    });

    it('keeps the conversation state in the database', async () => {
      const dataSource = app.get(DataSource);
      const [row] = (await dataSource.query(
        `SELECT language, state, messages FROM conversation WHERE business_id = $1 AND person_id = $2`,
        [businessId, marie.personId],
      )) as { language: string; state: string; messages: number }[];
      expect(row).toEqual({ language: 'fr', state: 'handed_off', messages: 5 });
    });
  });

  describe('a conversation in English', () => {
    const john = person();

    it('answers a known question and hands over when asked for a human', async () => {
      const asked = await send(john, 'how can I return items I bought?');
      expect((await replyTo(asked)).text).toBe('Bring it back to the shop within 30 days with the receipt.');
      const human = await send(john, 'Can I talk to a human please');
      expect((await handoffs.waitFor((h) => h.inReplyToWamid === human.wamid)).value).toMatchObject({
        reason: 'requested',
        language: 'en',
      });
      expect((await replyTo(human)).text).toBe(MESSAGES.en.handoff);
    });

    it('STOP revokes consent and confirms in English; WHY without a marketing message says so', async () => {
      const stop = await send(john, 'STOP');
      expect((await consents.waitFor((c) => c.personId === john.personId)).value).toMatchObject({ businessId, status: 'revoked' });
      expect((await replyTo(stop)).text).toBe(MESSAGES.en.stop);
      expect((await replyTo(await send(john, 'why?'))).text).toBe(MESSAGES.en.noDecision);
    });

    it('sends nothing free-form outside the 24 h window, but still acts on STOP', async () => {
      const late = person();
      const old = new Date(Date.now() - 25 * HOUR);
      const question = await send(late, 'What are your opening hours?', old);
      const stop = await send(late, 'STOP', new Date(old.getTime() + 1000));
      await consents.waitFor((c) => c.personId === late.personId);
      const dataSource = app.get(DataSource);
      const outcomes = await eventually('both messages handled', async () => {
        const rows: { wamid: string; outcome: string; reply_id: string | null }[] = await dataSource.query(
          `SELECT wamid, outcome, reply_id FROM inbound_message WHERE wamid = ANY($1) AND outcome <> 'pending'`,
          [[question.wamid, stop.wamid]],
        );
        return rows.length === 2 ? rows : undefined;
      });
      expect(Object.fromEntries(outcomes.map((o) => [o.wamid, [o.outcome, o.reply_id]]))).toEqual({
        [question.wamid]: ['answered_window_closed', null],
        [stop.wamid]: ['command_stop_window_closed', null],
      });
      // Replies are published before the outcome commits; give the probe time to see any stray one.
      await sleep(1000);
      expect(replies.records.filter((r) => r.value.personId === late.personId)).toEqual([]);
    });

    it('for an erased person (key deleted) STOP and DELETE are confirmed, publish no number, and nothing is dead-lettered', async () => {
      const gone = person();
      const erased = { ...gone, contact: await app.get(ContactSealer).seal(gone.personId, gone.phone) };
      await app.get(PostgresKeyVault).destroy([gone.personId]);
      const stop = await send(erased, 'STOP');
      const remove = await send(erased, 'delete');
      expect((await replyTo(stop)).text).toBe(MESSAGES.en.stop);
      expect((await replyTo(remove)).text).toBe(MESSAGES.en.delete);
      const outcomes = await eventually('both commands handled', async () => {
        const rows: { outcome: string }[] = await app
          .get(DataSource)
          .query(`SELECT outcome FROM inbound_message WHERE wamid = ANY($1) AND outcome <> 'pending' ORDER BY outcome`, [
            [stop.wamid, remove.wamid],
          ]);
        return rows.length === 2 ? rows : undefined;
      });
      expect(outcomes.map((o) => o.outcome)).toEqual(['command_delete', 'command_stop']);
      await sleep(500);
      expect(consents.records.filter((r) => r.key === gone.personId)).toEqual([]);
      expect(privacy.records.filter((r) => r.value.phone === gone.phone)).toEqual([]);
    });

    it('handles a redelivered message once', async () => {
      const again = person();
      const message = await send(again, 'When are you open?');
      await replyTo(message);
      await publisher.publish(Topic.WhatsappInboundV1, [{ key: again.personId, value: message }]);
      const next = await send(again, 'When are you open?');
      await replyTo(next);
      expect(replies.records.filter((r) => r.value.inReplyToWamid === message.wamid)).toHaveLength(1);
    });
  });

  describe('commands in words', () => {
    it('a stop in words revokes consent, whatever the knowledge base would answer, and confirms in its language', async () => {
      const anna = person();
      const english = await send(anna, 'Please stop messaging me about your opening hours');
      expect((await consents.waitFor((c) => c.personId === anna.personId)).value).toMatchObject({ businessId, status: 'revoked' });
      expect((await replyTo(english)).text).toBe(MESSAGES.en.stop);
      const bob = person();
      const french = await send(bob, 'stop svp');
      await consents.waitFor((c) => c.personId === bob.personId);
      expect((await replyTo(french)).text).toBe(MESSAGES.fr.stop);
    });

    it('a bare STOP to a French-speaking business, first message of the conversation, is confirmed in French', async () => {
      const claire = person();
      const message = await send(claire, 'STOP', new Date(), undefined, frenchNumberId);
      await consents.waitFor((c) => c.personId === claire.personId && c.businessId === frenchBusinessId);
      expect((await replyTo(message)).text).toBe(MESSAGES.fr.stop);
    });

    it('a question about STOP, or asking not to stop, revokes nothing', async () => {
      const dan = person();
      const about = await send(dan, 'What does STOP do?');
      const negated = await send(dan, "Don't stop sending me your offers");
      await handoffs.waitFor((h) => h.inReplyToWamid === about.wamid);
      await handoffs.waitFor((h) => h.inReplyToWamid === negated.wamid);
      await sleep(500);
      expect(consents.records.filter((c) => c.value.personId === dan.personId)).toEqual([]);
    });

    it('a delete in words is confirmed, and the request goes when the wait is over even if no status ever came', async () => {
      const eve = person();
      const message = await send(eve, 'Please delete all my personal information');
      expect((await replyTo(message)).text).toBe(MESSAGES.en.delete);
      const request = await privacy.waitFor((p) => p.phone === eve.phone, 60_000);
      expect(request.value.type).toBe('erasure');
    }, 90_000);

    it('why this message, asked in words, explains', async () => {
      const fred = person();
      expect((await replyTo(await send(fred, 'Pourquoi je reçois ça ?'))).text).toBe(MESSAGES.fr.noDecision);
      expect((await replyTo(await send(fred, 'why did I get this?'))).text).toBe(MESSAGES.en.noDecision);
    });
  });

  describe('answers by meaning (the ONNX model in the service)', () => {
    it('answers an English question from a French-only business with its French entry', async () => {
      const hugo = person();
      const message = await send(hugo, 'Hi! Do you deliver to my house? Thanks', new Date(), undefined, frenchNumberId);
      expect((await replyTo(message)).text).toBe('Oui, sous 48 h.');
    });
  });

  describe("the business's agents", () => {
    it('lists open handoffs, replies as an agent inside the window, and gives the conversation back to the bot', async () => {
      const iris = person();
      const asked = await send(iris, 'Can I talk to a human please');
      await handoffs.waitFor((h) => h.inReplyToWamid === asked.wamid);
      const open = await eventually('handoff listed', async () => {
        const listed = (await api('GET', '/v1/handoffs', apiKey)).body['handoffs'] as { personId: string; windowOpen: boolean }[];
        return listed.find((h) => h.personId === iris.personId);
      });
      expect(open.windowOpen).toBe(true);
      // Another business sees nothing of it, and cannot answer it.
      const others = (await api('GET', '/v1/handoffs', otherKey)).body['handoffs'] as { personId: string }[];
      expect(others.some((h) => h.personId === iris.personId)).toBe(false);
      expect((await api('POST', `/v1/handoffs/${iris.personId}/replies`, otherKey, { agent: 'x', text: 'hi' })).status).toBe(404);

      const sent = await api('POST', `/v1/handoffs/${iris.personId}/replies`, apiKey, {
        agent: 'Léa',
        text: 'Bonjour, Léa here, how can I help?',
      });
      expect(sent.status).toBe(202);
      const reply = await replies.waitFor((r) => r.replyId === sent.body['replyId']);
      expect(reply.value).toMatchObject({ personId: iris.personId, contact: iris.contact, text: 'Bonjour, Léa here, how can I help?' });
      expect(reply.key).toBe(iris.personId);
      // While with the agent, the bot does not answer even a question it knows: the message goes to the team.
      const meanwhile = await send(iris, 'When are you open?');
      const passedOn = await handoffs.waitFor((h) => h.inReplyToWamid === meanwhile.wamid);
      expect(passedOn.value).toMatchObject({ reason: 'with_agent', personNotified: false, text: 'When are you open?' });
      expect(replies.records.some((r) => r.value.inReplyToWamid === meanwhile.wamid)).toBe(false);

      expect((await api('POST', `/v1/handoffs/${iris.personId}/release`, apiKey)).status).toBe(204);
      expect((await api('POST', `/v1/handoffs/${iris.personId}/release`, apiKey)).status).toBe(404);
      // Back with the bot: the next question is answered by it.
      expect((await replyTo(await send(iris, 'When are you open?'))).text).toBe('We are open Monday to Saturday, 9am to 7pm.');
    });

    it('refuses an agent reply once the 24 h window is closed (409), and a reply without text (400)', async () => {
      const jack = person();
      const old = await send(jack, 'Can I talk to a human please', new Date(Date.now() - 25 * HOUR));
      await handoffs.waitFor((h) => h.inReplyToWamid === old.wamid);
      expect((await api('POST', `/v1/handoffs/${jack.personId}/replies`, apiKey, { agent: 'Léa', text: 'Hello?' })).status).toBe(409);
      expect((await api('POST', `/v1/handoffs/${jack.personId}/replies`, apiKey, { agent: 'Léa' })).status).toBe(400);
    });
  });

  describe('the assistant data under the GDPR', () => {
    it('an erasure announced by profiles deletes the conversation state and history, and only that person', async () => {
      const gina = person();
      const kept = person();
      await replyTo(await send(gina, 'When are you open?'));
      await replyTo(await send(kept, 'When are you open?'));
      const dataSource = app.get(DataSource);
      const held = async (who: ReturnType<typeof person>) => {
        const rows: { n: string }[] = await dataSource.query(
          `SELECT (SELECT count(*) FROM conversation WHERE person_id = $1) + (SELECT count(*) FROM inbound_message WHERE person_id = $1) AS n`,
          [who.personId],
        );
        return Number(rows[0]?.n);
      };
      expect(await held(gina)).toBe(2);
      await publisher.publish(Topic.PrivacyErasuresV1, [
        { key: gina.personId, value: { personId: gina.personId, requestId: `er-${hex(6)}`, erasedAt: new Date().toISOString() } },
      ]);
      await eventually('conversation erased', async () => ((await held(gina)) === 0 ? true : undefined));
      expect(await held(kept)).toBe(2);
    });

    it("an export answered by profiles gets the assistant's part: conversation state and history, under the same requestId", async () => {
      const hana = person();
      const other = person();
      const asked = await send(hana, 'When are you open?');
      await replyTo(asked);
      const handed = await send(hana, 'Can I talk to a human please');
      await handoffs.waitFor((h) => h.inReplyToWamid === handed.wamid);
      expect((await api('POST', `/v1/handoffs/${hana.personId}/replies`, apiKey, { agent: 'Léa', text: 'Bonjour Hana' })).status).toBe(202);
      await replyTo(await send(other, 'When are you open?'));
      const requestId = `export-${hex(6)}`;
      // Profiles' part, as profiles publishes it after turning the request's phone number into the personId.
      await publisher.publish(Topic.PrivacyExportsV1, [
        {
          key: requestId,
          value: { requestId, personId: hana.personId, exportedAt: new Date().toISOString(), source: 'profiles', data: { profile: null } },
        },
      ]);
      const part = (await exports.waitFor((e) => e.requestId === requestId && e.source === 'assistant')).value;
      expect(part.personId).toBe(hana.personId);
      const data = part.data as {
        conversations: Record<string, unknown>[];
        messages: Record<string, unknown>[];
        agentReplies: Record<string, unknown>[];
      };
      expect(data.conversations).toEqual([
        expect.objectContaining({ business_id: businessId, phone_number_id: phoneNumberId, state: 'handed_off', contact_held: true }),
      ]);
      expect(data.messages.map((m) => m['wamid']).sort()).toEqual([asked.wamid, handed.wamid].sort());
      expect(data.agentReplies).toEqual([expect.objectContaining({ agent: 'Léa', text: 'Bonjour Hana' })]);
      // Never the number, in clear or sealed, and nothing of the other person.
      const json = JSON.stringify(part);
      for (const secret of [hana.phone, hana.contact, other.personId]) expect(json).not.toContain(secret);
      // Its own answer is not answered again: one assistant part per request.
      await sleep(1500);
      expect(exports.records.filter((e) => e.value.requestId === requestId && e.value.source === 'assistant')).toHaveLength(1);
    });
  });

  describe('trace context', () => {
    it('replies, handoffs and the consent revocation carry the trace of the inbound message they answer, each in a new span', async () => {
      const paul = person();
      const traceId = hex(16);
      const inboundSpan = hex(8);
      const traceparent = `00-${traceId}-${inboundSpan}-01`;
      const asked = await send(paul, 'Can I talk to a human please', new Date(), { traceparent });
      const stop = await send(paul, 'STOP', new Date(), { traceparent: `00-${traceId}-${hex(8)}-01` });
      const reply = await replies.waitFor((r) => r.inReplyToWamid === asked.wamid);
      const handoff = await handoffs.waitFor((h) => h.inReplyToWamid === asked.wamid);
      const consent = await consents.waitFor((c) => c.personId === paul.personId);
      const stopReply = await replies.waitFor((r) => r.inReplyToWamid === stop.wamid);
      for (const out of [reply, handoff, consent, stopReply]) {
        const span = parseTraceContext(out.headers);
        expect(span?.traceId).toBe(traceId);
        expect(span?.spanId).not.toBe(inboundSpan);
      }
      expect(parseTraceContext(reply.headers)?.spanId).not.toBe(parseTraceContext(handoff.headers)?.spanId);
    });
  });
});
