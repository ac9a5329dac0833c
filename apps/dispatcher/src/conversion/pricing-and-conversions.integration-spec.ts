import { type EngagementNormalizedV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { eventually, type TopicProbe } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { type TestPerson, DispatcherTestBed, UTILITY_TEMPLATE } from '../testing/dispatcher-fixtures';

const DATASET = '7700000000001';

// Each test waits on real sends and webhooks through two child processes: generous on a loaded machine.
jest.setTimeout(180_000);

interface Conversions {
  events: {
    eventId: string;
    eventName: string;
    ctwaClid: string;
    wabaId: string;
    value?: number;
    currency?: string;
    knownClick: boolean;
  }[];
  duplicates: number;
  refusedRequests: number;
}

/**
 * Issue 17 on the real broker, the real Postgres, the built dispatcher and the sandbox:
 * point 3, each message's billed cost comes from the `pricing` of its status webhooks (a campaign
 * template at the card's price of the recipient's market, a utility template in its category, an
 * assistant reply as a free service message), next to the estimate its decision carried;
 * point 7, a tap on a template's quick-reply button is resolved to that message, the click id of a
 * message from a click-to-WhatsApp ad is kept, and a purchase attributed to it reaches Meta's
 * Conversions API (the sandbox) once, through transient refusals, a replay and a resend.
 */
describe('dispatcher: message pricing, clicks and conversions against the sandbox', () => {
  const run = randomUUID().slice(0, 8);
  const phoneNumberId = `7${Date.now()}`.slice(0, 15);
  const utilityNumber = `8${Date.now()}`.slice(0, 15);
  const businessId = `biz-${run}`;
  let bed: DispatcherTestBed;
  let statuses: TopicProbe<Topic.WhatsappMessageStatusV1>;
  let inbound: TopicProbe<Topic.WhatsappInboundV1>;

  beforeAll(async () => {
    bed = await DispatcherTestBed.create(
      run,
      'pricing',
      { PAIR_INTERVAL_MS: '0', SENDER_POLL_MS: '50', CONVERSIONS_DATASET_ID: DATASET, CONVERSIONS_POLL_MS: '50', RETRY_BASE_MS: '200' },
      { SANDBOX_PAIR_INTERVAL_MS: '0', SANDBOX_READ_RATE: '0' },
    );
    [statuses, inbound] = await bed.start(Topic.WhatsappMessageStatusV1, Topic.WhatsappInboundV1);
  }, 400_000);

  afterAll(() => bed?.stop());

  const sandbox = (path: string, body?: unknown) =>
    fetch(`${bed.stack.sandbox.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** A campaign decision as scoring publishes it since revision 2 (with its estimated cost). */
  function pricedDecision(person: TestPerson, label: string, number = phoneNumberId): TargetingDecisionV1 {
    return {
      ...bed.driver.decision(person, label, number, businessId),
      estimatedCost: { micros: 85_900, currency: 'USD', category: 'marketing', market: 'france', rateCardVersion: 'meta-2025-07-01-usd' },
    };
  }

  async function delivered(decision: TargetingDecisionV1): Promise<string> {
    await bed.driver.publishDecisions(decision);
    const row = await bed.driver.ledgerUntil(
      decision.decisionId,
      'delivered',
      (r) => r.state === 'accepted' && r.statuses.includes('delivered'),
      60_000,
    );
    return row.wamid as string;
  }

  async function cost(decisionId: string) {
    const rows: {
      estimated_micros: string | null;
      billed_micros: string | null;
      billable: boolean | null;
      category: string;
      market: string | null;
    }[] = await bed.db.pg
      .query(`SELECT estimated_micros, billed_micros, billable, category, market FROM message_cost WHERE decision_id = $1`, [decisionId])
      .then((r) => r.rows);
    return rows[0];
  }

  async function conversions(): Promise<Conversions> {
    return (await (await sandbox(`/sandbox/conversions?datasetId=${DATASET}`)).json()) as Conversions;
  }

  function purchase(person: TestPerson, label: string, occurredAt: Date, value = 42.5): EngagementNormalizedV1 {
    return {
      dedupeKey: `facebook:purchase-${run}-${label}`,
      personId: person.personId,
      contact: person.contact,
      source: 'facebook',
      type: 'purchase',
      occurredAt: occurredAt.toISOString(),
      categories: ['running-shoes'],
      businessId,
      value,
      currency: 'EUR',
      country: 'FR',
      ingestedAt: new Date().toISOString(),
    };
  }

  it('bills a campaign template at the rate card from the pricing of its status webhooks, beside its estimate', async () => {
    const person = bed.driver.person();
    const decision = pricedDecision(person, 'marketing');
    await delivered(decision);
    const priced = await statuses.waitFor((s) => s.decisionId === decision.decisionId && s.status === 'delivered');
    // A French number, a marketing template: 0.0859 USD at Meta's 2025-07-01 card.
    expect(priced.value.pricing).toEqual({
      billable: true,
      pricingModel: 'PMP',
      category: 'marketing',
      type: 'regular',
      micros: 85_900,
      currency: 'USD',
      rateCardVersion: 'meta-2025-07-01-usd',
      market: 'france',
    });
    expect(await cost(decision.decisionId)).toEqual({
      estimated_micros: '85900',
      billed_micros: '85900',
      billable: true,
      category: 'marketing',
      market: 'france',
    });
  });

  it('bills a utility template in its registered category, and an assistant reply as a free service message', async () => {
    const created = await bed.registerTemplate(utilityNumber, UTILITY_TEMPLATE);
    expect(created).toBe(200);
    const person = bed.driver.person();
    const utility = pricedDecision(person, 'utility', utilityNumber);
    await delivered(utility);
    const billed = await statuses.waitFor((s) => s.decisionId === utility.decisionId && s.status === 'delivered');
    // Outside any customer-service window: billed, at France's utility rate (0.03).
    expect(billed.value.pricing).toMatchObject({ billable: true, category: 'utility', micros: 30_000 });

    // The person writes (the window opens); the assistant's reply is a service message, free.
    expect((await sandbox('/sandbox/inbound', { from: person.e164, phoneNumberId, text: 'When do you open?' })).status).toBe(202);
    const replyId = await bed.driver.publishReply(person, 'reply', phoneNumberId, businessId);
    const reply = await statuses.waitFor((s) => s.decisionId === replyId && s.status === 'delivered');
    expect(reply.value.pricing).toMatchObject({ billable: false, category: 'service', type: 'free_customer_service', micros: 0 });
    expect(await cost(replyId)).toMatchObject({
      estimated_micros: '0',
      billed_micros: '0',
      billable: false,
      category: 'service',
      market: 'france',
    });
  });

  it("resolves a tap on a template's quick-reply button to that message, with its payload", async () => {
    const person = bed.driver.person();
    const decision = pricedDecision(person, 'button');
    const wamid = await delivered(decision);
    const tap = await sandbox('/sandbox/inbound', {
      from: person.e164,
      phoneNumberId,
      button: { text: 'Show me', payload: 'shop_now' },
      contextMessageId: wamid,
    });
    expect(tap.status).toBe(202);
    const { id } = (await tap.json()) as { id: string };
    const record = await inbound.waitFor((m) => m.wamid === id);
    expect(record.value).toMatchObject({
      kind: 'button',
      buttonPayload: 'shop_now',
      inReplyToWamid: wamid,
      repliesTo: { decisionId: decision.decisionId, campaignId: decision.campaignId },
    });
  });

  it("sends a purchase attributed to a click-to-WhatsApp ad's conversation to the Conversions API once, through refusals, a replay and a resend", async () => {
    const person = bed.driver.person();
    // A campaign message first (the number's business becomes known, and the purchase has a message to credit).
    const decision = pricedDecision(person, 'ad');
    await delivered(decision);
    const fromAd = await sandbox('/sandbox/inbound', {
      from: person.e164,
      phoneNumberId,
      text: 'Hi, I saw your ad',
      referral: { sourceId: '120210000000' },
    });
    const { id, ctwaClid } = (await fromAd.json()) as { id: string; ctwaClid: string };
    expect(ctwaClid).toMatch(/^Aff/);
    const message = await inbound.waitFor((m) => m.wamid === id);
    expect(message.value.referral).toEqual({ ctwaClid, sourceType: 'ad', sourceId: '120210000000' });

    // Meta is briefly unavailable (provoked on purpose): two transient refusals, then the event goes through.
    expect((await sandbox('/sandbox/conversions/faults', { httpStatus: 503, code: 2, times: 2 })).status).toBe(201);
    const bought = purchase(person, 'shoes', new Date());
    await bed.driver.publishRecords(Topic.EngagementNormalizedV1, [{ key: person.personId, value: bought }]);
    const received = await eventually(
      'the purchase at the Conversions API',
      async () => {
        const all = await conversions();
        return all.events.find((e) => e.ctwaClid === ctwaClid);
      },
      30_000,
    );
    expect(received).toMatchObject({ eventName: 'Purchase', wabaId: '100000000000001', value: 42.5, currency: 'EUR', knownClick: true });
    // The sender records the send once Meta answered: a moment after Meta has the event.
    const row = await eventually(
      'the conversion event recorded as sent',
      async () => {
        const { rows } = await bed.db.pg.query(`SELECT state, attempts, decision_id FROM conversion_event WHERE ctwa_clid = $1`, [
          ctwaClid,
        ]);
        const found = rows[0] as { state: string; attempts: number; decision_id: string } | undefined;
        return found?.state === 'sent' ? found : undefined;
      },
      10_000,
    );
    expect(row).toEqual({ state: 'sent', attempts: 3, decision_id: decision.decisionId });
    expect((await conversions()).refusedRequests).toBeGreaterThanOrEqual(2);

    // The same purchase again (a replayed record): attributed once, sent once.
    await bed.driver.publishRecords(Topic.EngagementNormalizedV1, [{ key: person.personId, value: bought }]);
    // A crash between Meta's answer and the ledger's mark: the event goes again, with its event_id; Meta keeps one.
    const before = (await conversions()).duplicates;
    await bed.db.pg.query(`UPDATE conversion_event SET state = 'pending', next_attempt_at = now() WHERE ctwa_clid = $1`, [ctwaClid]);
    await eventually(
      'the resent event counted as a duplicate',
      async () => ((await conversions()).duplicates > before ? true : undefined),
      20_000,
    );
    const after = await conversions();
    expect(after.events.filter((e) => e.ctwaClid === ctwaClid)).toHaveLength(1);
    expect(
      (await bed.db.pg.query(`SELECT count(*)::int AS n FROM conversion_event WHERE person_id = $1`, [person.personId])).rows[0],
    ).toEqual({
      n: 1,
    });
  });

  it('never sends a purchase Meta would refuse: one older than seven days expires, a refused one is not retried', async () => {
    const person = bed.driver.person();
    // The number's business is known from the sends above; this person came from an ad only.
    const fromAd = await sandbox('/sandbox/inbound', { from: person.e164, phoneNumberId, text: 'Hello from the ad', referral: {} });
    const { ctwaClid } = (await fromAd.json()) as { ctwaClid: string };
    await eventually('the ad click kept', async () =>
      (await bed.db.pg.query(`SELECT 1 FROM ad_click WHERE ctwa_clid = $1`, [ctwaClid])).rowCount ? true : undefined,
    );
    // Meta answers 400 (provoked on purpose): the event is rejected for good, with Meta's message.
    expect((await sandbox('/sandbox/conversions/faults', { httpStatus: 400, code: 100, times: 1 })).status).toBe(201);
    await bed.driver.publishRecords(Topic.EngagementNormalizedV1, [
      { key: person.personId, value: purchase(person, 'refused', new Date()) },
    ]);
    const rejected = await eventually(
      'the event rejected',
      async () => {
        const r = (await bed.db.pg.query(`SELECT state, attempts, last_error FROM conversion_event WHERE ctwa_clid = $1`, [ctwaClid]))
          .rows[0] as { state: string; attempts: number; last_error: string } | undefined;
        return r?.state === 'rejected' ? r : undefined;
      },
      20_000,
    );
    expect(rejected).toMatchObject({ attempts: 1 });
    expect(rejected.last_error).toContain('400 code 100');
    expect((await conversions()).events.some((e) => e.ctwaClid === ctwaClid)).toBe(false);

    // An attributed event that waited past Meta's seven days (a long outage) is expired, never sent.
    const expiredCounted = async () =>
      Number(
        /^wt_conversion_events_total\{[^}]*result="expired"[^}]*\} (\d+)/m.exec(
          await (await fetch(`${bed.stack.dispatcher.url}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    const expiredBefore = await expiredCounted();
    await bed.db.pg.query(
      `INSERT INTO conversion_event (event_id, person_id, business_id, event_name, event_time, value, currency, ctwa_clid, waba_id, state)
       VALUES ($1, $2, $3, 'Purchase', now() - interval '8 days', 10, 'EUR', $4, '100000000000001', 'pending')`,
      [`old-${run}`, person.personId, businessId, ctwaClid],
    );
    const expired = await eventually(
      'the old event expired',
      async () => {
        const r = (await bed.db.pg.query(`SELECT state FROM conversion_event WHERE event_id = $1`, [`old-${run}`])).rows[0] as
          { state: string } | undefined;
        return r?.state === 'expired' ? r : undefined;
      },
      20_000,
    );
    expect(expired.state).toBe('expired');
    // Counted once: the one event expired, not the [rows, count] pair TypeORM answers an UPDATE with.
    expect((await expiredCounted()) - expiredBefore).toBe(1);
    expect((await conversions()).events.some((e) => e.eventId === `old-${run}`)).toBe(false);
  });
});
