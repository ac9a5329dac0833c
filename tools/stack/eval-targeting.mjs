#!/usr/bin/env node
// `npm run eval:targeting`: the targeting evaluation THROUGH THE RUNNING SERVICES.
//
// A simulated population (`@wt/simulation`: `SimulatedPopulation` or `ArchetypePopulation`, hidden true preferences) engages on social media
// (events into ingest over HTTP), consents (ingest), and reads, replies to, clicks, buys from or
// opts out of the WhatsApp messages it gets (the sandbox's simulated recipients, same seed, signed
// webhooks back to the dispatcher; purchases come back as engagement events with the business, as
// a shop's conversion feed would send them). Each round has one campaign topic and, per policy,
// one business with its own WhatsApp number and the same message budget:
//
// - learned: a campaign created through scoring's API; scoring's launch ranks the audience with
//   the relevance model and decides; the dispatcher sends; outcomes teach the model.
// - random, rule, interest_oracle, oracle: chosen by this harness from the same audience (the profile
//   snapshots scoring holds, the same people's consents), published as targeting decisions onto
//   targeting.decisions.v1 and sent by the same dispatcher to the same sandbox. Baselines never
//   enter scoring: the oracle needs the hidden preferences, which no service may read.
//   `rule` sends to people who engaged with the campaign's topic, in random order; `interest_oracle`
//   is an oracle restricted to what engagement can reveal (the true affinity for the topic, not the
//   person's propensity to read, click and buy, nor whether the number is on WhatsApp): an upper
//   bound for targeting from interests alone. `oracle` ranks by the true purchase probability
//   (fatigue included). Every baseline is held to scoring's constraints: consent and opt-outs, the
//   default caps, quiet hours, the holdout.
//
// EVAL_POPULATION=simulation|archetypes runs one population; unset, both, one after the other, each
// on a fresh stack. The archetype population's sandbox counts each person's recent messages
// (fatigue) and is told the round (`PUT /sandbox/simulation`; bursts of intent depend on it).
//
// Sizes (EVAL_PEOPLE, EVAL_ROUNDS, EVAL_BUDGET): 1,500 people, 24 rounds, 60 messages per round and
// policy (4 % of the audience, as 120 of 3,000 offline): rounds are minutes apart, so the weekly cap
// of 2 per business holds for the whole run and 24 x 60 sends use under half of the 3,000 places a
// policy has. About 5-7 minutes per population on 2 busy cores.
//
// Starts a fresh broker and fresh databases of the `bench` profile in its slot (WT_STACK_SLOT),
// the five services it needs, and stops everything it started (so it does not run at the same
// time as `npm run bench` or `bench:dispatch` in the same slot). Prints a table and writes JSON
// (EVAL_OUT, default bench/results/targeting.json).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildAll, ensureInstalled, ROOT } from './bootstrap.mjs';

const num = (/** @type {string} */ name, /** @type {number} */ fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${process.env[name]}`);
  return value;
};
const POPULATIONS = ['simulation', 'archetypes'];
const POPULATION = process.env.EVAL_POPULATION;
if (POPULATION === undefined || POPULATION === '') {
  // Both populations, each in its own process on a fresh stack (no model carried over).
  let failed = 0;
  for (const population of POPULATIONS) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
      stdio: 'inherit',
      env: { ...process.env, EVAL_POPULATION: population },
    });
    if (child.status !== 0) failed++;
  }
  process.exit(failed > 0 ? 1 : 0);
}
if (!POPULATIONS.includes(POPULATION)) {
  console.error(`EVAL_POPULATION must be one of ${POPULATIONS.join(', ')} (or unset: both), got ${POPULATION}`);
  process.exit(2);
}
/**
 * Scoring's production window, 21-8 local, when a run started now (up to 2 h long) falls in the day of
 * the audience (the populations' numbers are European: UTC-1 to UTC+3); otherwise the same 11 hours
 * moved by whole hours so that they start 9 h from now (UTC): run at night, the audience would sleep
 * through every round and no policy would send. Either way every policy is held to the same window.
 * @param {Date} now
 */
function defaultQuietHours(now) {
  const hour = now.getUTCHours();
  if (hour >= 9 && hour <= 15) return '21-8';
  const start = (hour + 9) % 24;
  return `${start}-${(start + 11) % 24}`;
}
const OPTIONS = {
  population: POPULATION,
  people: num('EVAL_PEOPLE', 750),
  rounds: num('EVAL_ROUNDS', 24),
  budget: num('EVAL_BUDGET', 30),
  engagementsPerRound: num('EVAL_ENGAGEMENTS', 3),
  holdoutShare: num('EVAL_HOLDOUT', 0.1),
  seed: process.env.EVAL_SEED ?? (POPULATION === 'simulation' ? 'wt-eval-v1' : 'wt-archetypes-v1'),
  quietHours: process.env.EVAL_QUIET_HOURS ?? defaultQuietHours(new Date()),
};
const OUT = path.resolve(ROOT, process.env.EVAL_OUT ?? `bench/results/targeting-${POPULATION}.json`);
// Creating this file ends the run after the current round, with the rounds done (the JSON says `complete: false`).
const STOP_FILE = `${OUT}.stop`;
const PROFILE = 'bench';
const POLICIES = ['learned', 'random', 'rule', 'interest_oracle', 'oracle'];
const POLICY_NUMBER = Object.fromEntries(POLICIES.map((p, i) => [p, `91000000000${i + 1}`]));
const POLICY_BUSINESS = Object.fromEntries(POLICIES.map((p) => [p, `eval-${p}`]));
const started = Date.now();
const log = (/** @type {string} */ m) => console.error(`[eval ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

ensureInstalled(() => {});
buildAll(() => {});
const require = createRequire(import.meta.url);
const dist = (/** @type {string} */ p) => require(path.join(ROOT, 'dist', p));
/**
 * Calibration of apps/scoring/src/eval/targeting-eval.ts.
 * @typedef {{outcomes: number, brier: number, brierOfBaseRate: number, auc: number,
 *            reliability: Array<{bin: string, predicted: number, observed: number, n: number}>}} Calibration
 */
/** @type {{calibrationOf: (pairs: Array<{p: number, y: number}>) => Calibration, worldOf: (options: object) => any}} */
const { calibrationOf, worldOf } = dist('apps/scoring/src/eval/targeting-eval.js');
const { LogisticModel } = dist('apps/scoring/src/relevance/logistic-model.js');
const { Topic } = dist('libs/contracts/src/index.js');
const { holdoutBucket, isQuietHours } = dist('apps/scoring/src/policy/contact-policy.js');
// Scoring's defaults (apps/scoring scoring.config.ts), which the baselines are held to as well.
// Quiet hours (EVAL_QUIET_HOURS=start-end, local time, [start, end)), given to scoring and applied to the
// baselines alike (the local stack turns them off by default: without this, scoring sent at night while
// the baselines waited). Unset: see defaultQuietHours. Each round records how many of the audience slept.
const QUIET_HOURS = /^(\d{1,2})-(\d{1,2})$/.exec(OPTIONS.quietHours);
if (!QUIET_HOURS || Number(QUIET_HOURS[1]) > 23 || Number(QUIET_HOURS[2]) > 23) {
  console.error(`EVAL_QUIET_HOURS must be <start>-<end> in hours 0-23, got ${process.env.EVAL_QUIET_HOURS}`);
  process.exit(2);
}
const CONTACT_POLICY = {
  perBusinessWeeklyCap: 2,
  crossBusinessDailyCap: 2,
  quietStartHour: Number(QUIET_HOURS[1]),
  quietEndHour: Number(QUIET_HOURS[2]),
  defaultTimeZone: 'UTC',
};
const { decisionIdFor } = dist('apps/scoring/src/decision/decision-policy.js');
const { default: pg } = await import('pg');
const { default: kafkajs } = await import('kafkajs');

const { applySlot, stackUp, stackDown } = await import('./stack.mjs');
// The slot moves the broker's ports and data: apply it before resetting, or another slot's broker is reset.
await applySlot(PROFILE);
const { resetBroker } = await import('./kafka-broker.mjs');
const { startServices, stopServices, localSecrets, profileSettings } = await import('./services.mjs');
const settings = profileSettings(PROFILE);
const secrets = localSecrets(PROFILE);

log(`fresh broker and databases (profile ${PROFILE}${process.env.WT_STACK_SLOT ? `, slot ${process.env.WT_STACK_SLOT}` : ''})...`);
await resetBroker({ profile: PROFILE });
await dropDatabases(Object.values(settings.databases));
const up = await stackUp({ profile: PROFILE, build: false, log: () => {} });
const db = (/** @type {string} */ service) => new pg.Pool({ connectionString: up.databaseUrls[settings.databases[service]], max: 2 });
// Made here, connected once the services are ready (a pool connects on its first query).
const scoringDb = db('scoring');
const dispatcherDb = db('dispatcher');
const kafka = new kafkajs.Kafka({ brokers: up.brokers.split(','), clientId: 'eval-targeting', logLevel: kafkajs.logLevel.NOTHING });
const producer = kafka.producer({ idempotent: true, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
const admin = kafka.admin();
let report;
/** Ingest API keys issued for this run, by action and subject. @type {Map<string, string>} */
const ingestKeys = new Map();
try {
  const serviceEnv = { LOG_LEVEL: 'warn' };
  await startServices({
    profile: PROFILE,
    brokers: up.brokers,
    databaseUrls: up.databaseUrls,
    only: ['whatsapp-sandbox', 'profiles', 'scoring', 'dispatcher', 'ingest'],
    log: () => {},
    extraEnv: {
      'whatsapp-sandbox': {
        ...serviceEnv,
        SANDBOX_SIMULATION_SEED: OPTIONS.seed,
        SANDBOX_SIMULATION_POPULATION: POPULATION,
        // The evaluation measures targeting: templates are not paused for low quality here (the sandbox's default does).
        SANDBOX_TEMPLATE_QUALITY_SAMPLE: '0',
        SANDBOX_STATUS_DELAY_MS: '10',
        // Webhooks due within 50 ms go in one POST, as Meta batches them under load: one POST per
        // status made the webhooks' settling most of a round (54 s of 92 at a load of 30 on 2 cores).
        SANDBOX_WEBHOOK_BATCH_MS: '50',
        SANDBOX_WEBHOOK_URL: `${settings.urls.dispatcher}/v1/webhooks/whatsapp`,
      },
      profiles: serviceEnv,
      // The system's default caps (issue 16): rounds are minutes apart, so the weekly cap of 2 per
      // business holds for the whole run; the baselines are held to the same caps below.
      scoring: {
        ...serviceEnv,
        QUIET_START_HOUR: String(CONTACT_POLICY.quietStartHour),
        QUIET_END_HOUR: String(CONTACT_POLICY.quietEndHour),
        LAUNCH_POLL_MS: '200',
        LAUNCH_BATCH_SIZE: '1000',
        CAMPAIGN_CACHE_MS: '0',
      },
      // A send WhatsApp has not answered within the timeout is in doubt and never resent; on a loaded
      // machine the sandbox can take over 10 s, and a message it then accepts (and its opt-out) would
      // be missing from the harness's view of the round.
      dispatcher: { ...serviceEnv, WHATSAPP_TIMEOUT_MS: '60000' },
      ingest: serviceEnv,
    },
  });
  log('services ready');
  await Promise.all([producer.connect(), admin.connect()]);
  report = await evaluate();
} finally {
  await Promise.allSettled([producer.disconnect(), admin.disconnect(), scoringDb.end(), dispatcherDb.end()]);
  log('stopping what the evaluation started...');
  await stopServices({ profile: PROFILE, log: () => {} });
  await stackDown({ profile: PROFILE, services: [], broker: up.brokerStartedByUs, log: () => {} });
}
writeReport(report);
console.log(`${formatReport(report)}\nJSON: ${path.relative(ROOT, OUT)}`);

/** @typedef {Awaited<ReturnType<typeof evaluate>>} Report */

/** @param {Report} r */
function writeReport(r) {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(r, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------

/** @typedef {ReturnType<typeof tally>} Tally */
/**
 * A profile snapshot of the audience as scoring holds it (the fields the baselines read).
 * @typedef {{personId: string, contact: string, timeZone?: string, interests?: Record<string, number>}} AudienceMember
 */
/**
 * A message the sandbox accepted (`GET /sandbox/messages`: the fields read here).
 * @typedef {{templateName: string, bizOpaqueCallbackData: string, waId: string, wamid: string}} SandboxMessage
 */
/**
 * An item ingest answers for (`results` of its routes).
 * @typedef {{index: number, status: string, personId: string}} IngestResult
 */

async function evaluate() {
  // Bursts peak within the population's default 24 rounds, the sandbox's default too.
  const sim = worldOf({
    population: POPULATION,
    seed: OPTIONS.seed,
    people: OPTIONS.people,
    engagementsPerRound: OPTIONS.engagementsPerRound,
  });
  /** @type {string[]} */
  const phones = sim.phones;
  /** @type {Map<string, string>} */
  const personOf = new Map(); // phone -> personId (as ingest answered)
  /** @type {Map<string, string>} */
  const phoneOf = new Map();
  // Every phone of the population has a person (its consents were accepted), and every person a phone.
  const personIdOf = (/** @type {string} */ phone) => {
    const personId = personOf.get(phone);
    if (personId === undefined) throw new Error('a phone of the population has no person id (its consent was not accepted)');
    return personId;
  };
  const phoneOfPerson = (/** @type {string} */ personId) => {
    const phone = phoneOf.get(personId);
    if (phone === undefined) throw new Error(`person ${personId} is not one of the population's`);
    return phone;
  };
  const totals = Object.fromEntries(POLICIES.map((p) => [p, tally(p)]));
  /** @type {Record<string, Set<string>>} */
  const revoked = Object.fromEntries(POLICIES.map((p) => [p, new Set()]));
  /**
   * Per policy and person: the rounds of the messages sent so far (all within a real week: the weekly cap holds for the whole run).
   * @type {Record<string, Map<string, number[]>>}
   */
  const sentTo = Object.fromEntries(POLICIES.map((p) => [p, new Map()]));
  const sentCount = (/** @type {string} */ policy, /** @type {string} */ personId) => (sentTo[policy].get(personId) ?? []).length;
  /** Messages of the last 7 rounds (simulated days) before this round: the archetype population's fatigue, as its sandbox counts it. */
  const recentOf = (/** @type {string} */ policy, /** @type {string} */ personId, /** @type {number} */ round) =>
    (sentTo[policy].get(personId) ?? []).filter((r) => r > round - 7 && r <= round).length;
  /**
   * Per policy: sends and expected conversions per archetype (propensity group for `simulation`).
   * @type {Record<string, Record<string, {sent: number, expectedConversions: number}>>}
   */
  const byArchetype = Object.fromEntries(POLICIES.map((p) => [p, {}]));
  const archetypeOf = (/** @type {string} */ phone) => sim.archetype(phone);
  /**
   * The learned policy's predicted purchase probability (the posterior mean the launch used) and what happened.
   * @type {Array<{p: number, y: number, round: number}>}
   */
  const predictions = [];
  /** @type {Map<string, {predict(features: unknown): number} | undefined>} */
  const models = new Map();
  const learnedKey = await issueApiKey(POLICY_BUSINESS.learned);
  let postedEvents = 0;

  log(`consents of ${phones.length} people for ${POLICIES.length} businesses, and cross-app profiling`);
  const at = () => new Date(Date.now() - 1000).toISOString();
  const consents = phones.flatMap((phone) => [
    { phone, purpose: 'cross_app_profiling', status: 'granted', occurredAt: at(), source: 'eval-signup' },
    ...POLICIES.map((p) => ({
      phone,
      purpose: 'whatsapp_marketing',
      businessId: POLICY_BUSINESS[p],
      status: 'granted',
      occurredAt: at(),
      source: 'eval-signup',
    })),
  ]);
  await postAll('/v1/consents', 'consents', consents, (item, result) => {
    personOf.set(item.phone, result.personId);
    phoneOf.set(result.personId, item.phone);
  });

  /**
   * @typedef {{round: number, category: string, policies: Record<string, Tally>, asleep: number, phaseSeconds: Record<string, number>,
   *            model: Awaited<ReturnType<typeof currentModel>>, seconds: number}} RoundResult
   */
  /** @type {RoundResult[]} */
  const rounds = [];
  for (let round = 0; round < OPTIONS.rounds; round++) {
    if (fs.existsSync(STOP_FILE)) {
      log(`${path.relative(ROOT, STOP_FILE)} exists: stopping after ${round} rounds`);
      fs.rmSync(STOP_FILE, { force: true });
      break;
    }
    const roundStarted = Date.now();
    /** @type {Record<string, number>} */
    const phases = {};
    let phaseStarted = Date.now();
    const phase = (/** @type {string} */ name) => {
      phases[name] = Math.round((Date.now() - phaseStarted) / 100) / 10;
      phaseStarted = Date.now();
    };
    /** @type {string} */
    const category = sim.categories[round % sim.categories.length];
    // 1. The round's engagement, through ingest; wait until scoring holds every profile.
    const events = phones.flatMap((phone) =>
      sim.engagements(phone, round).map((/** @type {{source: string, type: string, category: string}} */ e, /** @type {number} */ i) => ({
        eventId: `eval-${round}-${i}-${personIdOf(phone).slice(0, 24)}`,
        source: e.source,
        type: e.type,
        phone,
        occurredAt: at(),
        categories: [e.category],
      })),
    );
    postedEvents += await postAll('/v1/engagement-events', 'events', events);
    await waitForAudience(postedEvents, revoked);
    phase('profiles');

    // 2. The round's template (what the message is about, for the simulated recipients), per number.
    const template = `eval_round_${round}`;
    for (const policy of POLICIES) await registerTemplate(POLICY_NUMBER[policy], template, category);
    await sandbox('/sandbox/simulation', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ round }),
    });

    // 3. learned: a campaign through scoring's API, launched by scoring; paused once decided.
    const campaignIds = Object.fromEntries(POLICIES.map((p) => [p, `eval-${p}-r${round}-${started.toString(36)}`]));
    await scoringApi('POST', '/v1/campaigns', learnedKey, {
      campaignId: campaignIds.learned,
      name: `Eval round ${round} (${category})`,
      status: 'active',
      phoneNumberId: POLICY_NUMBER.learned,
      template: { name: template, language: 'en_US', bodyParameters: [{ from: 'profile', value: 'topInterest' }] },
      targetCategories: [category],
      minRelevance: 0,
      budgetMessages: OPTIONS.budget,
      startsAt: new Date(Date.now() - 1000).toISOString(),
      holdoutShare: OPTIONS.holdoutShare,
    });
    await waitFor(`launch of ${campaignIds.learned}`, async () => {
      const { rows } = await scoringDb.query(`SELECT phase FROM campaign_launch WHERE campaign_id = $1`, [campaignIds.learned]);
      return rows[0]?.phase === 'done';
    });
    await scoringApi('PATCH', `/v1/campaigns/${campaignIds.learned}`, learnedKey, { status: 'paused' });
    const { rows: learnedRows } = await scoringDb.query(
      `SELECT person_id, outcome, reason, score, model_version, features FROM decision WHERE campaign_id = $1 AND (outcome = 'send' OR reason = 'holdout')`,
      [campaignIds.learned],
    );
    /** @type {Map<string, number>} */
    const predicted = new Map();
    for (const row of learnedRows.filter((r) => r.outcome === 'send' && r.features)) {
      const model = await modelOf(row.model_version);
      if (model) predicted.set(row.person_id.trim(), model.predict(row.features));
    }
    phase('learned');
    /** @type {Record<string, {sent: string[], holdout: string[]}>} */
    const picks = {
      learned: {
        sent: learnedRows.filter((r) => r.outcome === 'send').map((r) => r.person_id.trim()),
        holdout: learnedRows.filter((r) => r.reason === 'holdout').map((r) => r.person_id.trim()),
      },
    };

    // 4. Baselines: chosen here from the same audience, sent by the same dispatcher.
    const message = (/** @type {string} */ policy) => ({ businessId: POLICY_NUMBER[policy], categories: [category] });
    /** People of the audience in quiet hours as the last baseline chose (the baselines choose within seconds). */
    let asleep = 0;
    for (const policy of POLICIES.slice(1)) {
      const audience = await audienceOf(POLICY_BUSINESS[policy]);
      /** @type {Record<string, (s: AudienceMember) => number>} */
      const scores = {
        random: (s) => unit(`random:${round}:${s.personId}`),
        rule: (s) => ((s.interests?.[category] ?? 0) > 0 ? 1 + unit(`rule:${round}:${s.personId}`) : 0),
        interest_oracle: (s) => sim.affinity(phoneOfPerson(s.personId), category, round),
        oracle: (s) => sim.probabilities(phoneOfPerson(s.personId), message(policy), round, recentOf(policy, s.personId, round)).purchase,
      };
      const score = scores[policy];
      // The same constraints as scoring's: opted in (the audience), the weekly cap per business, quiet hours, the holdout.
      const now = new Date();
      asleep = audience.filter((s) => isQuietHours(now, s.timeZone, CONTACT_POLICY)).length;
      const eligible = audience.filter(
        (s) => sentCount(policy, s.personId) < CONTACT_POLICY.perBusinessWeeklyCap && !isQuietHours(now, s.timeZone, CONTACT_POLICY),
      );
      const ranked = eligible.map((s) => ({ s, v: score(s) })).filter((x) => policy !== 'rule' || x.v > 0);
      ranked.sort((a, b) => b.v - a.v || (a.s.personId < b.s.personId ? -1 : 1));
      /** @type {AudienceMember[]} */
      const chosen = [];
      /** @type {AudienceMember[]} */
      const holdout = [];
      for (const { s } of ranked) {
        if (chosen.length >= OPTIONS.budget) break;
        (holdoutBucket(campaignIds[policy], s.personId) < OPTIONS.holdoutShare ? holdout : chosen).push(s);
      }
      picks[policy] = { sent: chosen.map((s) => s.personId), holdout: holdout.map((s) => s.personId) };
      await publishDecisions(policy, campaignIds[policy], template, category, chosen);
    }

    phase('baselines');
    // 5. Wait for the sends and what the people did; purchases go back through ingest.
    const expected = POLICIES.reduce((n, p) => n + picks[p].sent.length, 0);
    await waitFor('the dispatcher to take every decision', async () => {
      const { rows } = await dispatcherDb.query(`SELECT count(*)::int AS n FROM dispatch WHERE campaign_id = ANY($1::text[])`, [
        Object.values(campaignIds),
      ]);
      return rows[0].n >= expected;
    });
    phase('dispatch');
    await settle();
    phase('settle');
    /** @type {Array<{eventId: string, source: string, type: string, phone: string, occurredAt: string, categories: string[], businessId: string}>} */
    const purchases = [];
    /** @type {Record<string, Tally>} */
    const policies = {};
    for (const policy of POLICIES) {
      const t = totals[policy];
      const r = tally(policy);
      const sentIds = new Set(picks[policy].sent.map((personId) => decisionIdFor(campaignIds[policy], personId)));
      /** @type {SandboxMessage[]} */
      const messages = await sandbox(`/sandbox/messages?phoneNumberId=${POLICY_NUMBER[policy]}`);
      /** @type {Map<string, SandboxMessage[]>} */
      const byDecision = new Map();
      for (const m of messages)
        if (m.templateName === template && sentIds.has(m.bizOpaqueCallbackData)) {
          const attempts = byDecision.get(m.bizOpaqueCallbackData) ?? [];
          if (attempts.length === 0) byDecision.set(m.bizOpaqueCallbackData, attempts);
          attempts.push(m);
        }
      r.sent = picks[policy].sent.length;
      r.accepted = byDecision.size;
      r.holdout = picks[policy].holdout.length;
      for (const personId of picks[policy].sent) {
        const phone = phoneOfPerson(personId);
        const p = sim.probabilities(phone, message(policy), round, recentOf(policy, personId, round)).purchase;
        r.expectedConversions += p;
        sentTo[policy].set(personId, [...(sentTo[policy].get(personId) ?? []), round]);
        const a = (byArchetype[policy][archetypeOf(phone)] ??= { sent: 0, expectedConversions: 0 });
        a.sent++;
        a.expectedConversions = round2(a.expectedConversions + p);
      }
      for (const [, attempts] of byDecision) {
        // The sandbox's own draw for each accepted message (same seed, same wamid, same round and
        // fatigue): what the person did, known at once, not from statuses that a loaded machine may
        // not have emitted yet (an opt-out missed here would stall the next round's audience wait).
        const phone = `+${attempts[0].waId}`;
        const personId = personIdOf(phone);
        /** @type {Array<{wamid: string, reaction: {delivered: boolean, read: boolean, clicked: boolean, optedOut: boolean, purchased: boolean, failure?: {errorCode: number}}}>} */
        const reactions = attempts.map((m) => ({
          wamid: m.wamid,
          reaction: sim.react(phone, message(policy), m.wamid, round, recentOf(policy, personId, round) - 1),
        }));
        const delivered = reactions.find((x) => x.reaction.delivered);
        if (!delivered) {
          if (reactions.some((x) => x.reaction.failure?.errorCode === 131050)) revoked[policy].add(phone);
          continue;
        }
        r.delivered++;
        const { reaction } = delivered;
        const prediction = predicted.get(personId);
        if (policy === 'learned' && prediction !== undefined) predictions.push({ p: prediction, y: reaction.purchased ? 1 : 0, round });
        if (reaction.read) r.read++;
        if (reaction.clicked) r.clicks++;
        if (reaction.optedOut) {
          r.optOuts++;
          revoked[policy].add(phone);
        }
        if (reaction.purchased) {
          r.conversions++;
          purchases.push({
            eventId: `eval-purchase-${delivered.wamid.slice(-40).replace(/[^A-Za-z0-9_-]/g, '_')}`,
            source: sim.source(phone),
            type: 'purchase',
            phone,
            occurredAt: at(),
            categories: [category],
            businessId: POLICY_BUSINESS[policy],
          });
        }
      }
      for (const k of /** @type {const} */ ([
        'sent',
        'accepted',
        'delivered',
        'read',
        'clicks',
        'conversions',
        'expectedConversions',
        'optOuts',
        'holdout',
      ]))
        t[k] += r[k];
      policies[policy] = { ...r, expectedConversions: round2(r.expectedConversions) };
    }
    if (purchases.length > 0) postedEvents += await postAll('/v1/engagement-events', 'events', purchases);
    await settle();
    phase('outcomes');
    const model = await currentModel();
    /** @type {RoundResult} */
    const roundResult = {
      round: round + 1,
      category,
      policies,
      asleep,
      phaseSeconds: phases,
      model,
      seconds: Math.round((Date.now() - roundStarted) / 100) / 10,
    };
    rounds.push(roundResult);
    log(
      `round ${round + 1}/${OPTIONS.rounds} (${category}, ${roundResult.seconds} s: ${Object.entries(phases)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}): conversions ${POLICIES.map((p) => `${p} ${totals[p].conversions}`).join(', ')}; ` +
        `expected learned ${totals.learned.expectedConversions.toFixed(1)} vs oracle ${totals.oracle.expectedConversions.toFixed(1)}; model ${model.version}; ` +
        `${asleep} of the audience in quiet hours (${OPTIONS.quietHours} local)`,
    );
    writeReport(summarize());
  }

  return summarize();

  /** The report of the rounds done so far (written after each round, so a run cut short keeps them). */
  function summarize() {
    const results = POLICIES.map((p) => {
      const t = totals[p];
      const conversionRate = t.sent > 0 ? t.conversions / t.sent : 0;
      // The simulated people never buy without a message (no organic purchase): holdout conversions are 0.
      return { ...t, expectedConversions: round2(t.expectedConversions), conversionRate, holdoutConversions: 0, uplift: conversionRate };
    });
    const byPolicy = Object.fromEntries(results.map((r) => [r.policy, r]));
    const by = (/** @type {string} */ p) => byPolicy[p]; // every policy has its results
    const half = Math.floor(rounds.length / 2);
    const sumRounds = (/** @type {number} */ from, /** @type {number} */ to, /** @type {string} */ p) =>
      rounds.slice(from, to).reduce((n, x) => n + x.policies[p].expectedConversions, 0);
    const ratio = (/** @type {number} */ a, /** @type {number} */ b) => (b > 0 ? a / b : 0);
    const ratios = {
      expectedLearnedOverRandom: ratio(by('learned').expectedConversions, by('random').expectedConversions),
      expectedLearnedOverRule: ratio(by('learned').expectedConversions, by('rule').expectedConversions),
      expectedLearnedOverInterestOracle: ratio(by('learned').expectedConversions, by('interest_oracle').expectedConversions),
      expectedLearnedOverOracle: ratio(by('learned').expectedConversions, by('oracle').expectedConversions),
      learnedOverRandom: by('learned').conversions / Math.max(1, by('random').conversions),
      learnedOverRule: by('learned').conversions / Math.max(1, by('rule').conversions),
      firstHalfLearnedOverOracle: ratio(sumRounds(0, half, 'learned'), sumRounds(0, half, 'oracle')),
      secondHalfLearnedOverOracle: ratio(sumRounds(half, rounds.length, 'learned'), sumRounds(half, rounds.length, 'oracle')),
      optOutsLearnedVsRule: [by('learned').optOuts, by('rule').optOuts],
    };
    return {
      mode: 'services',
      complete: rounds.length === OPTIONS.rounds,
      population: POPULATION,
      at: new Date().toISOString(),
      seconds: Math.round((Date.now() - started) / 1000),
      options: OPTIONS,
      results: results.map((r) => ({ ...r, byArchetype: byArchetype[r.policy] })),
      ratios,
      // The model's predicted purchase probability against purchases, on the learned policy's delivered
      // messages of the second half (each predicted by the model version that decided it, before learning it).
      calibration: calibrationOf(predictions.filter((x) => x.round >= half)),
      goals: {
        learnedAtLeast5xRandom: ratios.expectedLearnedOverRandom >= 5,
        learnedAtLeast2xRule: ratios.expectedLearnedOverRule >= 2,
        fewerOptOutsThanRule: by('learned').optOuts < by('rule').optOuts,
        ...(POPULATION === 'simulation'
          ? { learnedAtLeastInterestOracle: ratios.expectedLearnedOverInterestOracle >= 1 }
          : { learnedAtLeast85PercentOfOracle: ratios.expectedLearnedOverOracle >= 0.85 }),
        learningCurveRises: ratios.secondHalfLearnedOverOracle > ratios.firstHalfLearnedOverOracle,
      },
      rounds,
    };
  }

  // -------------------------------------------------------------------------------------------

  /**
   * An API key of ingest's doors, issued once per business (consents) or source (events) the way an
   * operator does (docs/authentication.md): a business writes its own consents, a producer its own
   * source's events.
   * @param {string} action
   * @param {string} subject
   * @returns {string}
   */
  function ingestKey(action, subject) {
    const id = `${action} ${subject}`;
    const known = ingestKeys.get(id);
    if (known === undefined) {
      const out = spawnSync(
        process.execPath,
        [path.join(ROOT, 'dist/apps/ingest/src/main.js'), 'api-key', action, subject, 'eval-targeting'],
        {
          env: { ...process.env, DATABASE_URL: up.databaseUrls[settings.databases.ingest] },
          encoding: 'utf8',
        },
      );
      if (out.status !== 0) throw new Error(`could not issue an ingest key (${id}): ${out.stderr}`);
      /** @type {string} */
      const issued = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '').apiKey;
      ingestKeys.set(id, issued);
      return issued;
    }
    return known;
  }

  /**
   * Posts items in chunks of 1,000 to an ingest route, each with the key of its business or source; every item must be accepted.
   * @template {{businessId?: string, source?: string}} T
   * @param {string} route
   * @param {'consents' | 'events'} field
   * @param {T[]} items
   * @param {(item: T, result: IngestResult) => void} [onAccepted]
   */
  async function postAll(route, field, items, onAccepted) {
    /** @type {Map<string, T[]>} */
    const groups = new Map();
    for (const item of items) {
      // A platform-wide consent (no business) is asserted by the first policy's business.
      const subject = field === 'consents' ? (item.businessId ?? POLICY_BUSINESS[POLICIES[0]]) : item.source;
      if (subject === undefined) throw new Error(`an event without a source for ${route}`);
      const key = ingestKey(field === 'consents' ? 'issue' : 'issue-producer', subject);
      const group = groups.get(key) ?? [];
      if (group.length === 0) groups.set(key, group);
      group.push(item);
    }
    for (const [apiKey, group] of groups) await postGroup(route, field, group, apiKey, onAccepted);
    return items.length;
  }

  /**
   * @template T
   * @param {string} route
   * @param {string} field
   * @param {T[]} items
   * @param {string} apiKey
   * @param {(item: T, result: IngestResult) => void} [onAccepted]
   */
  async function postGroup(route, field, items, apiKey, onAccepted) {
    for (let i = 0; i < items.length; i += 1000) {
      const chunk = items.slice(i, i + 1000);
      // Retried on a dropped connection: both routes are idempotent (event ids, the consent ledger).
      const response = await withRetries(`ingest ${route}`, () =>
        fetch(`${settings.urls.ingest}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ [field]: chunk }),
        }),
      );
      if (!response.ok) throw new Error(`ingest ${route} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
      // Ingest's answer: one result per item, by index.
      const body = /** @type {{results: IngestResult[]}} */ (await response.json());
      const rejected = body.results.filter((r) => r.status !== 'accepted');
      if (rejected.length > 0)
        throw new Error(`ingest ${route} rejected ${rejected.length} items, e.g. ${JSON.stringify(rejected[0]).slice(0, 300)}`);
      if (onAccepted) body.results.forEach((r) => onAccepted(chunk[r.index], r));
    }
    return items.length;
  }

  /**
   * Scoring holds every profile with every event posted so far, and every opt-out.
   * @param {number} eventsPosted
   * @param {Record<string, Set<string>>} revokedSoFar
   */
  async function waitForAudience(eventsPosted, revokedSoFar) {
    /** @type {object | undefined} what scoring held at the last look */
    let last;
    await waitFor('scoring to hold every profile', async () => {
      const { rows } = await scoringDb.query(
        `SELECT count(*)::int AS people, coalesce(sum((body->'activity'->>'totalEvents')::int), 0)::int AS events,
                ${POLICIES.map((p, i) => `count(*) FILTER (WHERE opted_in @> ARRAY[$${i + 1}]::text[])::int AS "${p}"`).join(', ')}
         FROM audience_profile`,
        POLICIES.map((p) => POLICY_BUSINESS[p]),
      );
      const row = rows[0];
      last = { ...row, expectedEvents: eventsPosted, expectedOptedIn: POLICIES.map((p) => phones.length - revokedSoFar[p].size) };
      return (
        row.people === phones.length &&
        row.events === eventsPosted &&
        POLICIES.every((p) => row[p] === phones.length - revokedSoFar[p].size)
      );
    }).catch((error) => {
      throw new Error(`${error.message}: ${JSON.stringify(last)}`);
    });
  }

  /**
   * The business's opted-in audience as scoring holds it (the snapshots profiles published).
   * @param {string} businessId
   * @returns {Promise<AudienceMember[]>}
   */
  async function audienceOf(businessId) {
    const { rows } = await scoringDb.query(`SELECT body FROM audience_profile WHERE opted_in @> ARRAY[$1]::text[]`, [businessId]);
    return rows.map((r) => r.body).filter((s) => s.contact);
  }

  /**
   * @param {string} policy
   * @param {string} campaignId
   * @param {string} template
   * @param {string} category
   * @param {AudienceMember[]} chosen
   */
  async function publishDecisions(policy, campaignId, template, category, chosen) {
    const decidedAt = new Date().toISOString();
    const records = chosen.map((s) => ({
      key: s.personId,
      value: JSON.stringify({
        decisionId: decisionIdFor(campaignId, s.personId),
        campaignId,
        businessId: POLICY_BUSINESS[policy],
        personId: s.personId,
        outcome: 'send',
        reason: 'relevant',
        score: 1,
        modelVersion: `eval-${policy}`,
        explanation: {
          summary: `Evaluation baseline ${policy}.`,
          factors: [],
          consentBasis: [`whatsapp_marketing:${POLICY_BUSINESS[policy]}`],
          holdout: false,
        },
        decidedAt,
        send: {
          phoneNumberId: POLICY_NUMBER[policy],
          contact: s.contact,
          templateName: template,
          language: 'en_US',
          bodyParameters: [category.replace(/-/g, ' ')],
        },
      }),
    }));
    for (let i = 0; i < records.length; i += 500)
      await producer.send({ topic: Topic.TargetingDecisionsV1, acks: -1, messages: records.slice(i, i + 500) });
  }

  /**
   * The model version a decision was made with (`logreg-v<n>`; v0 is the cold start, never stored).
   * @param {string} modelVersion
   */
  async function modelOf(modelVersion) {
    if (!models.has(modelVersion)) {
      const version = Number(/^logreg-v(\d+)$/.exec(modelVersion)?.[1] ?? NaN);
      if (version === 0) models.set(modelVersion, LogisticModel.coldStart());
      else {
        const { rows } = await scoringDb.query(`SELECT weights FROM relevance_model WHERE version = $1 LIMIT 1`, [version]);
        models.set(modelVersion, rows[0] ? new LogisticModel(rows[0].weights, version, 0) : undefined);
      }
    }
    return models.get(modelVersion);
  }

  /** @returns {Promise<{version: number, examples: number, weights?: Record<string, number>}>} */
  async function currentModel() {
    const { rows } = await scoringDb.query(`SELECT version, weights, examples FROM relevance_model ORDER BY version DESC LIMIT 1`);
    return rows[0]
      ? { version: rows[0].version, examples: Number(rows[0].examples), weights: rows[0].weights }
      : { version: 0, examples: 0 };
  }
}

/** Everything in flight has landed: consumer groups caught up, no webhook pending, nothing due to send. */
async function settle(timeoutMs = 180_000) {
  const groups = {
    ingest: [Topic.ConsentV1, Topic.SocialEngagementV1],
    profiles: [Topic.EngagementNormalizedV1, Topic.ConsentNormalizedV1, Topic.WhatsappInboundV1],
    scoring: [
      Topic.CampaignsV1,
      Topic.ProfileSnapshotsV1,
      Topic.WhatsappMessageStatusV1,
      Topic.WhatsappInboundV1,
      Topic.EngagementNormalizedV1,
      Topic.BusinessSendingSignalsV1,
    ],
    dispatcher: [Topic.TargetingDecisionsV1],
  };
  let quiet = 0;
  await waitFor(
    'the platform to settle',
    async () => {
      const [lags, stats, { rows }] = await Promise.all([
        Promise.all(Object.entries(groups).map(([service, topics]) => groupLag(`${settings.groupPrefix}.${service}`, topics))),
        sandbox('/sandbox/stats'),
        dispatcherDb.query(
          // 'unknown' (no answer from WhatsApp: in doubt, never resent) is final for this purpose.
          `SELECT count(*)::int AS n FROM dispatch WHERE state = 'sending' OR (state = 'pending' AND next_attempt_at < now() + interval '30 seconds')`,
        ),
      ]);
      const lag = lags.reduce((a, b) => a + b, 0);
      const busy = lag > 0 || (stats.webhooks?.pending ?? 0) > 0 || rows[0].n > 0;
      quiet = busy ? 0 : quiet + 1;
      return quiet >= 3;
    },
    timeoutMs,
  );
}

/**
 * @param {string} groupId
 * @param {string[]} topics
 */
async function groupLag(groupId, topics) {
  let lag = 0;
  const committed = await admin.fetchOffsets({ groupId, topics });
  const endsOf = await Promise.all(committed.map(({ topic }) => admin.fetchTopicOffsets(topic)));
  for (const [i, { partitions }] of committed.entries()) {
    const ends = endsOf[i];
    for (const end of ends) {
      const c = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      lag += Math.max(0, Number(end.high) - Math.max(c, Number(end.low)));
    }
  }
  return lag;
}

/**
 * @template T
 * @param {string} what
 * @param {() => Promise<T>} attempt
 * @returns {Promise<T>}
 */
async function withRetries(what, attempt, attempts = 5) {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= attempts) throw error;
      const failure = /** @type {Error & {cause?: {code?: string}}} */ (error);
      log(`${what}: ${failure.message} (${failure.cause?.code ?? 'no code'}); retrying`);
      await sleep(500 * n);
    }
  }
}

/**
 * @param {string} what
 * @param {() => Promise<boolean>} check
 */
async function waitFor(what, check, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * The sandbox's JSON answer to `route` (each route its own shape: sandbox-schemas.ts).
 * @param {string} route
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
async function sandbox(route, init) {
  const response = await fetch(`${settings.urls['whatsapp-sandbox']}${route}`, init);
  if (!response.ok) throw new Error(`sandbox ${route} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return response.json();
}

/**
 * @param {string} phoneNumberId
 * @param {string} name
 * @param {string} category
 */
async function registerTemplate(phoneNumberId, name, category) {
  const response = await fetch(`${settings.urls['whatsapp-sandbox']}/v25.0/${phoneNumberId}/message_templates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.WHATSAPP_ACCESS_TOKEN}` },
    body: JSON.stringify({
      name,
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'New in {{1}}: have a look' }],
      sandbox_categories: [category],
    }),
  });
  if (!response.ok) throw new Error(`template ${name} on ${phoneNumberId}: ${response.status} ${await response.text()}`);
}

/**
 * @param {string} method
 * @param {string} route
 * @param {string} apiKey
 * @param {unknown} body
 */
async function scoringApi(method, route, apiKey, body) {
  const response = await fetch(`${settings.urls.scoring}${route}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`scoring ${method} ${route}: ${response.status} ${(await response.text()).slice(0, 300)}`);
  return response.json();
}

/**
 * An API key for the business, issued with scoring's own command.
 * @param {string} businessId
 * @returns {Promise<string>}
 */
async function issueApiKey(businessId) {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'dist/apps/scoring/src/main.js'), 'api-key', 'issue', businessId, 'eval'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: up.databaseUrls[settings.databases.scoring], LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`api-key issue failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '').apiKey;
}

/**
 * This slot's bench databases, dropped so the evaluation starts from nothing (no model, no ledger).
 * @param {string[]} names
 */
async function dropDatabases(names) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  try {
    await client.connect();
  } catch {
    return; // Postgres is down: stackUp starts it, and its databases are then new anyway.
  }
  try {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** @param {string} key */
function unit(key) {
  return holdoutBucket('eval', key);
}

/** @param {number} x */
function round2(x) {
  return Math.round(x * 100) / 100;
}

/** @param {string} policy */
function tally(policy) {
  return { policy, sent: 0, accepted: 0, delivered: 0, read: 0, clicks: 0, conversions: 0, expectedConversions: 0, optOuts: 0, holdout: 0 };
}

/** @param {Report} r */
function formatReport(r) {
  const pct = (/** @type {number} */ x) => `${(x * 100).toFixed(1)} %`;
  const goal = (/** @type {boolean} */ met) => (met ? 'met' : 'MISSED');
  const pad = (/** @type {string | number} */ x, /** @type {number} */ n) => String(x).padStart(n);
  const archetypes = [...new Set(r.results.flatMap((x) => Object.keys(x.byArchetype ?? {})))].sort();
  const c = r.calibration;
  const last = r.rounds.at(-1)?.model;
  return [
    '',
    `targeting evaluation of population "${r.population}" through the running services (ingest, profiles, scoring, dispatcher, WhatsApp sandbox with simulated recipients): ${r.seconds} s`,
    `${r.options.people} people, ${r.rounds.length} of ${r.options.rounds} rounds${r.complete ? '' : ' (cut short)'} (one campaign topic each), budget ${r.options.budget} messages per round and policy, default caps (2 per business per week: the whole run), holdout ${pct(r.options.holdoutShare)}, seed ${r.options.seed}`,
    '',
    `round | topic          | ${POLICIES.map((p) => pad(p, 15)).join(' | ')} | learned/oracle | model`,
    ...r.rounds.map(
      (x) =>
        `${pad(x.round, 5)} | ${x.category.padEnd(14)} | ${POLICIES.map((p) => pad(x.policies[p].expectedConversions.toFixed(2), 15)).join(' | ')} | ${pad(
          (x.policies.oracle.expectedConversions > 0
            ? x.policies.learned.expectedConversions / x.policies.oracle.expectedConversions
            : 0
          ).toFixed(2),
          14,
        )} | v${x.model.version}`,
    ),
    "(expected conversions per round: the sum of the oracle's purchase probabilities of the messages sent, conversions without the luck of the draw)",
    '',
    'policy          | sent | delivered | read | clicks | conversions | expected | opt-outs | holdout',
    ...r.results.map(
      (x) =>
        `${x.policy.padEnd(15)} | ${pad(x.sent, 4)} | ${pad(x.delivered, 9)} | ${pad(x.read, 4)} | ${pad(x.clicks, 6)} | ${pad(x.conversions, 11)} | ${pad(x.expectedConversions.toFixed(1), 8)} | ${pad(x.optOuts, 8)} | ${pad(x.holdout, 7)}`,
    ),
    '',
    `sends (expected conversions) per archetype: ${archetypes.join(', ')}`,
    ...r.results.map(
      (x) =>
        `${x.policy.padEnd(15)} | ${archetypes
          .map((a) => `${pad(x.byArchetype[a]?.sent ?? 0, 4)} (${(x.byArchetype[a]?.expectedConversions ?? 0).toFixed(1).padStart(5)})`)
          .join(' | ')}`,
    ),
    '',
    `calibration on the learned policy's later outcomes (rounds ${Math.floor(r.rounds.length / 2) + 1}-${r.rounds.length}, ${c.outcomes} delivered messages): Brier ${c.brier} (base rate ${c.brierOfBaseRate}), AUC ${c.auc}`,
    'reliability (deciles of predicted purchase probability): predicted vs observed (n)',
    ...c.reliability.map((b) => `  ${b.bin.padEnd(9)} ${b.predicted.toFixed(4)} vs ${b.observed.toFixed(4)} (${b.n})`),
    '',
    'weights per round (after learning its outcomes): in the JSON (rounds[].model.weights); last:',
    `  v${last?.version}, ${last?.examples} outcomes: ${Object.entries(last?.weights ?? {})
      .map(([k, v]) => `${k} ${Number(v).toFixed(2)}`)
      .join(', ')}`,
    '',
    `expected learned / random: ${r.ratios.expectedLearnedOverRandom.toFixed(2)} (goal >= 5: ${goal(r.goals.learnedAtLeast5xRandom)})`,
    `expected learned / rule: ${r.ratios.expectedLearnedOverRule.toFixed(2)} (goal >= 2: ${goal(r.goals.learnedAtLeast2xRule)})`,
    `expected learned / interest-only oracle: ${r.ratios.expectedLearnedOverInterestOracle.toFixed(2)}${'learnedAtLeastInterestOracle' in r.goals ? ` (goal >= 1.0: ${goal(r.goals.learnedAtLeastInterestOracle)})` : ''}`,
    `expected learned / full oracle: ${r.ratios.expectedLearnedOverOracle.toFixed(2)}${'learnedAtLeast85PercentOfOracle' in r.goals ? ` (goal >= 0.85: ${goal(r.goals.learnedAtLeast85PercentOfOracle)})` : ''}`,
    `realized conversions learned / random ${r.ratios.learnedOverRandom.toFixed(2)}, / rule ${r.ratios.learnedOverRule.toFixed(2)}`,
    `learning curve, learned / oracle: first half ${r.ratios.firstHalfLearnedOverOracle.toFixed(2)}, second half ${r.ratios.secondHalfLearnedOverOracle.toFixed(2)} (goal rising: ${goal(r.goals.learningCurveRises)})`,
    `opt-outs learned vs rule: ${r.ratios.optOutsLearnedVsRule[0]} vs ${r.ratios.optOutsLearnedVsRule[1]} (goal fewer: ${goal(r.goals.fewerOptOutsThanRule)})`,
  ].join('\n');
}
