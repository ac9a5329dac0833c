import { Topic } from '@wt/contracts';
import { createKafka, KafkaPublisher } from '@wt/kafka';
import { Client } from 'pg';
import { byLabel, scrape, total, type Sample } from './metrics-scrape';
import { generatePopulation } from './population';

interface ServiceUrls {
  ingest: string;
  profiles: string;
  scoring: string;
  dispatcher: string;
  sandbox: string;
}

function serviceUrls(): ServiceUrls {
  const raw = process.env['DEMO_SERVICE_URLS'];
  if (raw) return JSON.parse(raw) as ServiceUrls;
  return {
    ingest: 'http://127.0.0.1:3001',
    profiles: 'http://127.0.0.1:3002',
    scoring: 'http://127.0.0.1:3003',
    dispatcher: 'http://127.0.0.1:3004',
    sandbox: 'http://127.0.0.1:3005',
  };
}

type Snapshot = Record<keyof ServiceUrls, Sample[]>;

async function snapshot(urls: ServiceUrls): Promise<Snapshot> {
  const entries = await Promise.all(Object.entries(urls).map(async ([name, url]) => [name, await scrape(url)] as const));
  return Object.fromEntries(entries) as Snapshot;
}

/** Counters of a run: the difference between two scrapes, so earlier runs do not count. */
function funnel(before: Snapshot, after: Snapshot) {
  const d = (svc: keyof ServiceUrls, name: string, where: Record<string, string> = {}) =>
    total(after[svc], name, where) - total(before[svc], name, where);
  const dBy = (svc: keyof ServiceUrls, name: string, label: string, where: Record<string, string> = {}) => {
    const a = byLabel(after[svc], name, label, where);
    const b = byLabel(before[svc], name, label, where);
    return Object.fromEntries(
      Object.entries(a)
        .map(([k, v]) => [k, v - (b[k] ?? 0)])
        .filter(([, v]) => (v as number) > 0),
    ) as Record<string, number>;
  };
  return {
    ingested: d('ingest', 'wt_records_consumed_total', { topic: Topic.SocialEngagementV1, result: 'accepted' }),
    deadLettered: d('ingest', 'wt_dead_letters_total'),
    deadLetterReasons: dBy('ingest', 'wt_dead_letters_total', 'reason'),
    applied: d('profiles', 'wt_profile_events_total', { effect: 'applied' }),
    duplicates: d('profiles', 'wt_profile_events_total', { effect: 'duplicate' }),
    sent: d('scoring', 'wt_decisions_total', { outcome: 'send' }),
    suppressed: dBy('scoring', 'wt_decisions_total', 'reason', { outcome: 'suppress' }),
    accepted: d('dispatcher', 'wt_dispatch_total', { result: 'accepted' }),
    rejected: dBy('dispatcher', 'wt_dispatch_total', 'code', { result: 'rejected' }),
    // Claimed sends that ended without an answer (in doubt, or expired before their call).
    unanswered: d('dispatcher', 'wt_dispatch_total', { result: 'unknown' }) + d('dispatcher', 'wt_dispatch_total', { result: 'expired' }),
    statuses: dBy('dispatcher', 'wt_message_status_total', 'status'),
    // Money (issue 17): estimated at the rate card when a send is queued, billed from the pricing of its status webhooks.
    estimated: dBy('dispatcher', 'wt_message_cost_micros_total', 'currency', { kind: 'estimated' }),
    billed: dBy('dispatcher', 'wt_message_cost_micros_total', 'currency', { kind: 'billed' }),
    // The business portfolio's messaging limit (gauges: the state now, not a difference).
    portfolio: {
      limits: byLabel(after.dispatcher, 'wt_portfolio_messaging_limit', 'business_id'),
      recipients: byLabel(after.dispatcher, 'wt_portfolio_unique_recipients', 'business_id'),
      held: d('dispatcher', 'wt_dispatch_held_total', { reason: 'portfolio_messaging_limit' }),
    },
  };
}

type Funnel = ReturnType<typeof funnel>;

/**
 * Whether a run's funnel has settled: every valid event ingested, every send scoring decided has
 * ended at the dispatcher (accepted, refused, held over the portfolio limit, or ended without an
 * answer), at least one was accepted, and every accepted one delivered. A dispatcher that pauses
 * for a few seconds on a busy machine, with sends still due, is then not taken for the end of the run.
 */
export function settled(
  f: Pick<Funnel, 'ingested' | 'sent' | 'accepted' | 'rejected' | 'unanswered' | 'statuses'> & {
    portfolio: Pick<Funnel['portfolio'], 'held'>;
  },
  events: number,
): boolean {
  const ended = f.accepted + Object.values(f.rejected).reduce((a, b) => a + b, 0) + f.unanswered + f.portfolio.held;
  return f.ingested >= events && ended >= f.sent && f.accepted > 0 && (f.statuses['delivered'] ?? 0) >= f.accepted;
}

/** Millionths per currency as amounts, e.g. `4.2951 USD`. */
function money(micros: Record<string, number>): string {
  const parts = Object.entries(micros).map(([currency, n]) => `${(n / 1e6).toFixed(4)} ${currency}`);
  return parts.length > 0 ? parts.join(', ') : '0';
}

/** Unique recipients per business portfolio in the rolling 24 h, against its limit (`*`: the default of every business). */
function portfolioLine(portfolio: { limits: Record<string, number>; recipients: Record<string, number> }): string {
  const tier = (limit: number | undefined) => (limit === undefined || limit < 0 ? 'unlimited' : limit.toLocaleString('en-US'));
  const businesses = Object.keys(portfolio.recipients).sort();
  if (businesses.length === 0) return `no recipient counted (limit ${tier(portfolio.limits['*'])})`;
  return businesses.map((b) => `${b}: ${portfolio.recipients[b]} of ${tier(portfolio.limits[b] ?? portfolio.limits['*'])}`).join(', ');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function countProfiles(): Promise<number | undefined> {
  const url = process.env['PROFILES_DATABASE_URL'];
  if (!url) return undefined;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM person_profile');
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

/**
 * `wt demo`: a synthetic population through the running platform. Publishes campaigns, consents
 * and engagement on the public topics (as other teams' services would), follows the services'
 * metrics until the pipeline is quiet, and prints the funnel. Exit code 1 if nothing was delivered.
 */
export async function demoCommand(brokers: string[]): Promise<number> {
  const people = Number(process.env['DEMO_PEOPLE'] ?? 1200);
  // A new population each run by default (set DEMO_SEED to repeat one): the same people again
  // would meet the frequency caps their earlier messages used up.
  const runId = `r${Date.now().toString(36)}`;
  const urls = serviceUrls();
  const population = generatePopulation({
    people,
    seed: Number(process.env['DEMO_SEED'] ?? Date.now() % 1_000_000_007),
    runId,
    now: new Date(),
  });
  const publisher = new KafkaPublisher(createKafka({ brokers, clientId: 'wt-demo' }));
  const before = await snapshot(urls);
  const started = Date.now();
  try {
    console.log(
      `demo ${runId}: ${population.people} people, ${population.events.length} engagement events (+${population.invalidEvents.length} invalid), ${population.consents.length} consents, ${population.campaigns.length} campaigns`,
    );

    await publisher.publish(
      Topic.CampaignsV1,
      population.campaigns.map((c) => ({ key: c.campaignId, value: c })),
    );
    for (let i = 0; i < 60 && total((await snapshot(urls)).scoring, 'wt_campaigns_running') < population.campaigns.length; i += 1)
      await sleep(500);

    const chunk = 2000;
    await publisher.publish(
      Topic.ConsentV1,
      population.consents.map((c) => ({ key: null, value: c })),
    );
    for (let i = 0; i < population.events.length; i += chunk) {
      await publisher.publish(
        Topic.SocialEngagementV1,
        population.events.slice(i, i + chunk).map((e) => ({ key: e.eventId, value: e })),
      );
    }
    await publisher.publishRaw(Topic.SocialEngagementV1, [
      ...population.invalidEvents.map((e) => ({ key: null, value: JSON.stringify(e) })),
      { key: null, value: '{not json' },
    ]);

    // Follow progress until nothing moves for a while (or a time limit).
    let last = '';
    let quietSince = Date.now();
    const limitMs = Number(process.env['DEMO_TIMEOUT_MS'] ?? 180_000);
    for (;;) {
      await sleep(1000);
      const f = funnel(before, await snapshot(urls));
      const line = `  ingested ${f.ingested}  profiles updated by ${f.applied} events  decisions ${f.sent} send / ${Object.values(f.suppressed).reduce((a, b) => a + b, 0)} suppress  accepted ${f.accepted}  delivered ${f.statuses['delivered'] ?? 0}  read ${f.statuses['read'] ?? 0}`;
      if (line !== last) {
        console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s]${line}`);
        last = line;
        quietSince = Date.now();
      }
      // Settled and quiet for 4 s; or nothing moved for 20 s (sends scheduled later, e.g. for a
      // recipient's morning, never end within the run); or the time limit.
      if (
        (settled(f, population.events.length) && Date.now() - quietSince > 4000) ||
        Date.now() - quietSince > 20_000 ||
        Date.now() - started > limitMs
      )
        break;
    }

    const f = funnel(before, await snapshot(urls));
    const profiles = await countProfiles();
    const suppressed = Object.values(f.suppressed).reduce((a, b) => a + b, 0);
    const rows: [string, string | number][] = [
      ['engagement events published', population.events.length + population.invalidEvents.length + 1],
      ['  ingested (valid, pseudonymized)', f.ingested],
      ['  dead-lettered', `${f.deadLettered} ${JSON.stringify(f.deadLetterReasons)}`],
      ['  applied to profiles', f.applied],
      ['  duplicates skipped', f.duplicates],
      ['profiles in database', profiles ?? 'n/a'],
      ['decisions: send', f.sent],
      ['decisions: suppress', `${suppressed} ${JSON.stringify(f.suppressed)}`],
      ['messages accepted by WhatsApp', f.accepted],
      ['messages rejected', `${Object.values(f.rejected).reduce((a, b) => a + b, 0)} ${JSON.stringify(f.rejected)}`],
      ['portfolio messaging limit (24 h)', portfolioLine(f.portfolio)],
      ['  held over the limit', f.portfolio.held],
      ['messages sent', f.statuses['sent'] ?? 0],
      ['messages delivered', f.statuses['delivered'] ?? 0],
      ['messages read', f.statuses['read'] ?? 0],
      ['messages failed', f.statuses['failed'] ?? 0],
      ['spend: estimated (rate card)', money(f.estimated)],
      ['spend: billed (status pricing)', money(f.billed)],
    ];
    console.log('\nFunnel');
    for (const [label, value] of rows) console.log(`  ${label.padEnd(36)} ${value}`);
    console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if ((f.statuses['delivered'] ?? 0) === 0) {
      console.error('\nno message was delivered end to end');
      return 1;
    }
    return 0;
  } finally {
    // End the run's campaigns, so that a later run does not compete with them.
    const ended = new Date().toISOString();
    await publisher.publish(
      Topic.CampaignsV1,
      population.campaigns.map((c) => ({ key: c.campaignId, value: { ...c, status: 'ended' as const, updatedAt: ended } })),
    );
    await publisher.disconnect();
  }
}
