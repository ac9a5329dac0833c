import { ArchetypePopulation, SimulatedPopulation } from '@wt/simulation';
import { inboundMessagesOf, type SendMessageResponse, userPreferencesOf, type WhatsAppWebhookPayload } from '@wt/whatsapp';
import { eventually, useSandbox } from '../testing/sandbox-harness';

const SEED = 'sandbox-spec-seed';
const PHONE_NUMBER_ID = '3000001';
const CATEGORIES = ['outdoor', 'running-shoes'];
const population = new SimulatedPopulation({ seed: SEED });
const phones = population.phoneNumbers(4000, 'sandbox-spec');

const template = (to: string) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'template',
  template: { name: 'autumn_offer', language: { code: 'en_US' } },
});

describe('simulated recipients (SANDBOX_SIMULATION_SEED)', () => {
  const bed = useSandbox({
    SANDBOX_SIMULATION_SEED: SEED,
    SANDBOX_THROUGHPUT_MPS: '0',
    SANDBOX_PAIR_INTERVAL_MS: '0',
    SANDBOX_STATUS_DELAY_MS: '1',
    // Reactions are the subject here: templates are not paused for low quality (template-quality.ts).
    SANDBOX_TEMPLATE_QUALITY_SAMPLE: '0',
  });

  beforeAll(async () => {
    const created = await bed.sandbox.request('POST', `/v25.0/${PHONE_NUMBER_ID}/message_templates`, {
      name: 'autumn_offer',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Autumn is here' }],
      sandbox_categories: CATEGORIES,
    });
    expect(created.status).toBe(200);
  });

  const send = async (phone: string): Promise<string> => {
    const { status, body } = await bed.sandbox.request('POST', `/v25.0/${PHONE_NUMBER_ID}/messages`, template(phone));
    expect(status).toBe(200);
    return (body as SendMessageResponse).messages[0]?.id ?? '';
  };

  const failureOf = async (wamid: string) =>
    (
      await eventually(() => {
        const statuses = bed.receiver.statusesFor(wamid);
        return statuses.length > 0 && statuses;
      })
    )[0];

  it('fails a number without WhatsApp with 131026 and a stopped business with 131050, as statuses', async () => {
    const absent = phones.find((phone) => !population.preferences(phone).onWhatsApp);
    const stopped = phones.find((phone) => population.preferences(phone).onWhatsApp && population.stoppedMarketing(phone, PHONE_NUMBER_ID));
    if (!absent || !stopped) throw new Error('the population has no such person: change the seed');
    const absentStatus = await failureOf(await send(absent));
    expect(absentStatus).toMatchObject({ status: 'failed', errors: [{ code: 131026 }] });
    const stoppedStatus = await failureOf(await send(stopped));
    expect(stoppedStatus).toMatchObject({ status: 'failed', errors: [{ code: 131050 }] });
  });

  it("holds back some marketing to a person under Meta's per-user limit with 131049", async () => {
    const limited = phones.find((phone) => {
      const person = population.preferences(phone);
      return (
        person.onWhatsApp &&
        person.marketingLimitShare > 0 &&
        !population.stoppedMarketing(phone, PHONE_NUMBER_ID) &&
        // Relevant messages: this person almost never opts out midway.
        population.relevance(phone, CATEGORIES) > 0.8
      );
    });
    if (!limited) throw new Error('the population has no such person: change the seed');
    const codes: (number | undefined)[] = [];
    for (let i = 0; i < 20; i++) {
      const status = await failureOf(await send(limited));
      codes.push(status?.status === 'failed' ? status.errors?.[0]?.code : undefined);
      if (status?.status === 'failed' && status.errors?.[0]?.code === 131050) break; // opted out since
    }
    expect(codes).toContain(131049);
  });

  it('reads, replies, clicks and opts out as the hidden preferences say, by webhook after the statuses', async () => {
    const reachable = phones
      .filter(
        (phone) =>
          population.preferences(phone).onWhatsApp &&
          population.preferences(phone).marketingLimitShare === 0 &&
          !population.stoppedMarketing(phone, PHONE_NUMBER_ID),
      )
      .slice(100);
    // A reaction is drawn per message, keyed by its wamid (random), so which behaviours a fixed sample
    // shows varies from run to run: send at least 160, and on until each behaviour has occurred.
    const expected = new Map<string, ReturnType<SimulatedPopulation['react']>>();
    const everyBehaviour = () => {
      const seen = [...expected.values()];
      return seen.some((r) => r.replied) && seen.some((r) => r.clicked) && seen.some((r) => r.optedOut) && seen.some((r) => !r.read);
    };
    for (const phone of reachable) {
      if (expected.size >= 160 && everyBehaviour()) break;
      const wamid = await send(phone);
      expected.set(
        wamid,
        population.react(phone, {
          businessId: PHONE_NUMBER_ID,
          categories: CATEGORIES,
          messageKey: wamid,
        }),
      );
    }
    const reactions = [...expected.values()];
    // The sample holds each behaviour (the population has enough reachable people for that).
    expect(reactions.filter((r) => r.replied).length).toBeGreaterThan(0);
    expect(reactions.filter((r) => r.clicked).length).toBeGreaterThan(0);
    expect(reactions.filter((r) => r.optedOut).length).toBeGreaterThan(0);
    expect(reactions.filter((r) => !r.read).length).toBeGreaterThan(0);

    const payloads = (): WhatsAppWebhookPayload[] => bed.receiver.received.map((webhook) => webhook.payload);
    const inboundFor = (wamid: string) =>
      payloads()
        .flatMap((payload) => inboundMessagesOf(payload))
        .filter((entry) => entry.message.context?.id === wamid)
        .map((entry) => entry.message.type);
    // Every status expected (a `read` comes a delay after `delivered`), not just the first two.
    await eventually(
      () => [...expected].every(([wamid, reaction]) => bed.receiver.statusesFor(wamid).length >= (reaction.read ? 3 : 2)),
      10_000,
    );
    await eventually(() => {
      const opted = new Set(
        payloads()
          .flatMap((payload) => userPreferencesOf(payload))
          .map((entry) => entry.preference.wa_id),
      );
      return reactions.filter((r) => r.optedOut).length === opted.size;
    }, 10_000);
    // The replies and clicks come after the statuses: every one expected, before comparing.
    await eventually(
      () => [...expected].every(([wamid, reaction]) => inboundFor(wamid).length >= Number(reaction.replied) + Number(reaction.clicked)),
      10_000,
    );
    for (const [wamid, reaction] of expected) {
      const statuses = bed.receiver.statusesFor(wamid).map((status) => status.status);
      expect(statuses).toEqual(reaction.read ? ['sent', 'delivered', 'read'] : ['sent', 'delivered']);
      const inbound = inboundFor(wamid);
      expect(inbound).toEqual([...(reaction.replied ? ['text'] : []), ...(reaction.clicked ? ['button'] : [])]);
    }
    // 160 sends and their webhooks, with waits of up to 10 s each: more than jest's default 5 s on a busy machine.
  }, 30_000);
});

describe('simulated recipients of the archetype population (SANDBOX_SIMULATION_POPULATION=archetypes)', () => {
  const archetypes = new ArchetypePopulation({ seed: SEED });
  const bed = useSandbox({
    SANDBOX_SIMULATION_SEED: SEED,
    SANDBOX_SIMULATION_POPULATION: 'archetypes',
    SANDBOX_THROUGHPUT_MPS: '0',
    SANDBOX_PAIR_INTERVAL_MS: '0',
    SANDBOX_STATUS_DELAY_MS: '1',
    // Reactions are the subject here: templates are not paused for low quality (template-quality.ts).
    SANDBOX_TEMPLATE_QUALITY_SAMPLE: '0',
  });

  beforeAll(async () => {
    await bed.sandbox.request('POST', `/v21.0/${PHONE_NUMBER_ID}/message_templates`, {
      name: 'autumn_offer',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Autumn is here' }],
      sandbox_categories: CATEGORIES,
    });
  });

  it('refuses a round that is not a non-negative integer, and reports the one set', async () => {
    expect((await bed.sandbox.request('PUT', '/sandbox/simulation', { round: -1 })).status).toBe(400);
    expect((await bed.sandbox.request('PUT', '/sandbox/simulation', { round: 'soon' })).status).toBe(400);
    const set = await bed.sandbox.request('PUT', '/sandbox/simulation', { round: 5 });
    expect(set.body).toEqual({ population: 'archetypes', round: 5 });
    expect((await bed.sandbox.request('GET', '/sandbox/simulation')).body).toEqual({ population: 'archetypes', round: 5 });
  });

  it("reacts as the archetype population says at the round set, each person's earlier messages counting as fatigue", async () => {
    const people = archetypes
      .phoneNumbers(400, 'sandbox-spec-archetypes')
      .filter((phone) => archetypes.person(phone).onWhatsApp)
      .slice(0, 60);
    await bed.sandbox.request('PUT', '/sandbox/simulation', { round: 3 });
    const expected = new Map<string, { read: boolean; failed?: number }>();
    const optedOut = new Set<string>();
    for (const recentMessages of [0, 1, 2])
      for (const phone of people) {
        const wamid = (
          (await bed.sandbox.request('POST', `/v21.0/${PHONE_NUMBER_ID}/messages`, template(phone))).body as SendMessageResponse
        ).messages[0]?.id as string;
        const reaction = archetypes.react(phone, {
          businessId: PHONE_NUMBER_ID,
          categories: CATEGORIES,
          messageKey: wamid,
          round: 3,
          recentMessages,
        });
        expected.set(wamid, optedOut.has(phone) ? { read: false, failed: 131050 } : { read: reaction.read });
        if (reaction.optedOut) optedOut.add(phone);
      }
    // Fatigue shows: opt-outs happen (deterministic for this seed).
    expect(optedOut.size).toBeGreaterThan(0);
    await eventually(
      () => [...expected].every(([wamid, e]) => bed.receiver.statusesFor(wamid).length >= (e.failed ? 1 : e.read ? 3 : 2)),
      10_000,
    );
    for (const [wamid, e] of expected) {
      const statuses = bed.receiver.statusesFor(wamid);
      if (e.failed) expect(statuses[0]).toMatchObject({ status: 'failed', errors: [{ code: e.failed }] });
      else expect(statuses.map((s) => s.status)).toEqual(e.read ? ['sent', 'delivered', 'read'] : ['sent', 'delivered']);
    }
  }, 30_000);
});
