#!/usr/bin/env node
// `npm run bench`: throughput of each stage against the limits of what it stands on, measured side
// by side in one run on one broker (this machine is shared and noisy: ratios, not absolutes).
// Writes bench/results/latest.json and keeps every run in bench/results/history/.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildAll, ensureInstalled, ROOT } from './bootstrap.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const NAIVE_EVENTS = Number(process.env.BENCH_NAIVE_EVENTS ?? 3_000);
// BENCH_ONLY=scoring (or a comma list of broker, ingest, profiles, scoring, dispatcher, pg, naive,
// e2e): a partial run while working on one part. A stage's upstream stages still run (they fill its
// input) and the hop always does (every ratio is over it). A partial run writes
// bench/results/partial.json, never latest.json.
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const ORDER = ['ingest', 'profiles', 'scoring', 'dispatcher'];
const wanted = (/** @type {string} */ part) => {
  if (!ONLY) return true;
  if (ONLY.has(part)) return true;
  const i = ORDER.indexOf(part);
  // Upstream of a wanted stage; the pg ceiling and naive runs read the profiles stage's output.
  return i >= 0 && [...ONLY].some((o) => ORDER.indexOf(o) > i || ((o === 'pg' || o === 'naive') && i <= 1));
};
const PROFILE = 'bench';
const CLI = path.join(ROOT, 'dist/tools/cli/src/main.js');
const log = (/** @type {string} */ m) => console.log(m);

ensureInstalled();
buildAll();
const { resetBroker, kafkaClasspath } = await import('./kafka-broker.mjs');
const { applySlot, stackUp, stackDown } = await import('./stack.mjs');
// Slot first: a reset must hit this slot's broker, never another run's.
await applySlot(PROFILE);
const { startServices, stopServices, servicePid } = await import('./services.mjs');

log('Fresh bench broker (its data is reset every run)...');
await resetBroker({ profile: PROFILE });
// And fresh databases: a run must not inherit earlier runs' campaigns, audiences and ledgers (each
// run's campaigns would launch over every earlier run's people, and be measured doing so).
{
  const { profileSettings } = await import('./services.mjs');
  const { dropDatabases } = await import('./postgres.mjs');
  await dropDatabases(Object.values(profileSettings(PROFILE).databases));
}
const up = await stackUp({ profile: PROFILE, build: false, log: () => {} });
const run = Date.now().toString(36);
let groupPrefix = `wt-bench-${run}`;

/**
 * One step of `wt bench` (tools/cli/src/bench), run to its end.
 * @param {string[]} args
 * @returns {any} the figures the step prints on its last line (each step has its own)
 */
function cli(args) {
  const result = spawnSync(process.execPath, [CLI, 'bench', ...args], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_BROKERS: up.brokers },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`bench ${args[0]} failed:\n${result.stderr}\n${result.stdout}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '');
}

/**
 * `cli` without blocking: for a measurement that must already watch while a service starts.
 * @param {string[]} args
 * @returns {Promise<any>} the figures the step prints on its last line
 */
function cliAsync(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'bench', ...args], { cwd: ROOT, env: { ...process.env, KAFKA_BROKERS: up.brokers } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''))
        : reject(new Error(`bench ${args[0]} failed:\n${stderr}\n${stdout}`)),
    );
  });
}

/**
 * @param {string} mainClass
 * @param {string[]} args
 * @param {string} classpath
 */
function java(mainClass, args, classpath) {
  const result = spawnSync('java', ['-Xmx512m', '-cp', classpath, mainClass, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${mainClass} failed:\n${result.stderr}`);
  return result.stdout;
}

/**
 * CPU seconds (user + system) and peak resident memory of a process, from /proc.
 * @param {number} pid
 */
function processUsage(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuSeconds: ticks / 100, peakMb: Math.round(Number(hwm) / 1024) };
}

const env = { KAFKA_GROUP_PREFIX: groupPrefix, LOG_LEVEL: 'warn' };
// BENCH_CPU_PROF=<dir>: each stage's service writes a V8 CPU profile there when it stops (open in Chrome DevTools).
const profiling = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
// Added on top of `env` where a service starts (so a change of env, the e2e phase's group prefix, applies).
/** @type {Record<string, Record<string, string> | undefined>} */
const unlimited = {
  'whatsapp-sandbox': { SANDBOX_THROUGHPUT_MPS: '0', SANDBOX_PAIR_INTERVAL_MS: '0', SANDBOX_STATUS_DELAY_MS: '0' },
  dispatcher: { WHATSAPP_MPS: '1000', SEND_CONCURRENCY: '64' },
};

/**
 * Runs one stage alone on its pre-filled input topic; returns records/s, CPU and memory.
 * @param {string} service
 * @param {string} topic
 * @param {Record<string, string>} [extra] more environment for its services
 */
async function stage(service, topic, extra = {}) {
  const expect = cli(['size', `topic=${topic}`]).records;
  const names = service === 'dispatcher' ? ['whatsapp-sandbox', 'dispatcher'] : [service];
  const group = `${groupPrefix}.${service}`;
  // Watching before the service starts: a service may consume much of its input while it starts.
  const following = cliAsync(['follow', `group=${group}`, `topic=${topic}`, `expect=${expect}`]);
  // The service's CPU, sampled from its spawn on: a service may consume much of its input while
  // it starts (the dispatcher stage all of it), so CPU is taken over the span the follower timed.
  /** @typedef {{at: number} & ReturnType<typeof processUsage>} Sample */
  /** @type {Sample[]} */
  const samples = [];
  const sampler = setInterval(() => {
    const pid = servicePid(PROFILE, service);
    if (pid) samples.push({ at: Date.now(), ...processUsage(pid) });
  }, 20);
  let follow;
  /** @type {Sample} */
  let last;
  try {
    await startServices({
      profile: PROFILE,
      brokers: up.brokers,
      databaseUrls: up.databaseUrls,
      only: names,
      extraEnv: Object.fromEntries(names.map((n) => [n, { ...env, ...unlimited[n], ...extra }])),
      nodeArgs: Object.fromEntries(names.map((n) => [n, profiling])),
      log: () => {},
    });
    follow = await following;
    const pid = servicePid(PROFILE, service);
    if (pid === undefined) throw new Error(`${service} is not running after its start (no live pid file)`);
    last = { at: Date.now(), ...processUsage(pid) };
    samples.push(last);
  } finally {
    clearInterval(sampler);
  }
  // Latest sample at or before t (none yet: the process had not been seen, 0 CPU: start-up counted).
  const cpuAt = (/** @type {number} */ t) => samples.filter((x) => x.at <= t).at(-1)?.cpuSeconds ?? 0;
  // The last movement is observed within 50 ms of the commit: the next sample after it bounds the CPU.
  const cpuUntil = (/** @type {number} */ t) => samples.find((x) => x.at >= t)?.cpuSeconds ?? last.cpuSeconds;
  const counted = follow.span.toRecords - follow.span.fromRecords;
  const cpu = cpuUntil(follow.span.toAt) - cpuAt(follow.span.fromAt);
  const after = last;
  let metrics = '';
  if (service === 'dispatcher' || service === 'profiles') metrics = await (await fetch(`${up.settings.urls[service]}/metrics`)).text();
  await stopServices({ profile: PROFILE, only: names, log: () => {} });
  // Too short a span to time CPU over (everything consumed in one go): no figure, not a wrong one.
  const cpuPer1000 = counted >= 1000 ? cpu / (counted / 1000) : NaN;
  log(
    `  ${service.padEnd(10)} ${follow.records} records in ${follow.seconds.toFixed(1)} s: ${Math.round(follow.perSecond)}/s, ${cpuPer1000.toFixed(3)} CPU s per 1,000 (over the ${counted} of the timed span), peak ${after.peakMb} MB`,
  );
  return { ...follow, cpuPer1000, peakMb: after.peakMb, metrics };
}

/** @type {Record<string, number | null>} */
const figures = {};
/** @type {{events: number, naiveEvents: number, kafka: string, partitions: number, run: string, cores: number, recordBytes?: number, only?: string[]}} */
const settings = {
  events: EVENTS,
  naiveEvents: NAIVE_EVENTS,
  kafka: up.brokers,
  partitions: 6,
  run,
  cores: (await import('node:os')).cpus().length,
};
try {
  log(`Filling social.engagement.v1 with ${EVENTS} events...`);
  const fill = cli(['fill', `events=${EVENTS}`, `run=${run}`]);
  settings.recordBytes = fill.avgBytes;

  if (wanted('broker')) {
    log('Broker ceiling (Kafka ProducerPerformance / ConsumerPerformance, same broker, 6 partitions, same record size)...');
    const classpath = await kafkaClasspath();
    cli(['scratch-topic', 'topic=bench.perf', 'partitions=6']);
    const produced = java(
      'org.apache.kafka.tools.ProducerPerformance',
      [
        '--topic',
        'bench.perf',
        '--num-records',
        String(EVENTS * 2),
        '--record-size',
        String(fill.avgBytes),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${up.brokers}`,
        'acks=all',
        'enable.idempotence=true',
      ],
      classpath,
    );
    const producerRate = Number(/([\d.]+) records\/sec/.exec(produced.trim().split('\n').at(-1) ?? '')?.[1]);
    const consumed = java(
      'org.apache.kafka.tools.ConsumerPerformance',
      ['--bootstrap-server', up.brokers, '--topic', 'bench.perf', '--messages', String(EVENTS * 2), '--group', `bench-perf-${run}`],
      classpath,
    );
    const csv = consumed.trim().split('\n');
    const headerLine = csv.find((l) => l.includes('nMsg.sec'));
    if (!headerLine) throw new Error(`ConsumerPerformance printed no nMsg.sec column:\n${consumed}`);
    const header = headerLine.split(',').map((s) => s.trim());
    const row = (csv.at(-1) ?? '').split(',').map((s) => s.trim());
    const consumerRate = Number(row[header.indexOf('nMsg.sec')]);
    figures.broker_produce_ceiling = producerRate;
    figures.broker_consume_ceiling = consumerRate;
    figures.broker_ceiling = Math.min(producerRate, consumerRate);
    log(`  producer ${Math.round(producerRate)}/s, consumer ${Math.round(consumerRate)}/s`);
  }

  log('kafkajs hop (eachBatch + sendBatch, no work)...');
  cli(['scratch-topic', 'topic=bench.hop', 'partitions=6']);
  const filled = cli(['size', 'topic=social.engagement.v1']).records;
  const hop = cli(['hop', 'from=social.engagement.v1', 'to=bench.hop', `expect=${filled}`]);
  /** @type {number} */
  const hopCpuPer1000 = hop.cpuSeconds / (hop.records / 1000);
  figures.kafkajs_hop = hop.perSecond;
  figures.kafkajs_hop_cpu_s_per_1000 = hopCpuPer1000;
  log(`  ${Math.round(hop.perSecond)}/s, ${hopCpuPer1000.toFixed(3)} CPU s per 1,000`);

  log('Stages, each alone on its pre-filled input:');
  /** @type {Record<string, Awaited<ReturnType<typeof stage>>>} */
  const ran = {};
  for (const [name, topic] of [
    ['ingest', 'social.engagement.v1'],
    ['profiles', 'internal.engagement.normalized.v1'],
    ['scoring', 'internal.profile.snapshots.v1'],
    ['dispatcher', 'targeting.decisions.v1'],
  ])
    if (wanted(name)) ran[name] = await stage(name, topic);
  const { ingest, profiles, scoring, dispatcher } = ran;
  if (ingest) figures.ingest_eps = ingest.perSecond;
  if (profiles) figures.profiles_eps = profiles.perSecond;
  if (scoring) figures.scoring_eps = scoring.perSecond;
  if (dispatcher) {
    const accepted = [...dispatcher.metrics.matchAll(/^wt_dispatch_total\{[^}]*result="accepted"[^}]*\} (\d+)/gm)].reduce(
      (s, m) => s + Number(m[1]),
      0,
    );
    figures.dispatcher_decisions_per_s = dispatcher.perSecond;
    // The dispatcher queues sends in its ledger and sends them after consuming: messages accepted by
    // WhatsApp while the stage ran, over the stage's time (0 if its sender had not started yet).
    figures.dispatcher_mps = accepted / dispatcher.seconds;
    figures.dispatcher_messages = accepted;
  }
  for (const [name, s] of Object.entries(ran)) {
    // Records per second (the dispatcher's: decisions consumed, dispatcher_decisions_per_s) over the hop's.
    figures[`${name}_ratio`] = s.perSecond / hop.perSecond;
    figures[`${name}_cpu_s_per_1000`] = s.cpuPer1000;
    // The same ratio per CPU second rather than per wall second: what one core of the stage does
    // against what one core of the hop does, steadier than wall time on a shared machine.
    figures[`${name}_core_ratio`] = hopCpuPer1000 / s.cpuPer1000;
    figures[`${name}_peak_mb`] = s.peakMb;
  }

  if (wanted('pg')) {
    log('Postgres ceiling for profile rows (raw pg, unnest multi-row upsert, 500 rows per statement)...');
    const pg = cli(['pg-ceiling', `db=${up.databaseUrls[up.settings.databases.profiles]}`, `rows=${EVENTS}`, 'batch=500']);
    figures.pg_upsert_ceiling = pg.rowsPerSecond;
    log(`  ${Math.round(pg.rowsPerSecond)} rows/s`);
    // The stage's profile rows per wall second (Kafka, CPU and snapshots included; the stage writes
    // about one profile row per 3 events it reads) over that ceiling; beside it, the same rows per
    // second of summed database time (BEGIN..COMMIT of each batch, less in-memory work and Kafka
    // acknowledgements; batches of 3 partitions overlap).
    const metric = (/** @type {string} */ name) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(profiles.metrics)?.[1] ?? NaN);
    const rows = metric('wt_profile_rows_written_total');
    const dbRowsPerSecond = rows / profiles.seconds;
    const dbTimeRowsPerSecond = rows / metric('wt_profile_db_seconds_sum');
    const stageDbRatio = dbRowsPerSecond / pg.rowsPerSecond;
    figures.profiles_rows_written = rows;
    figures.profiles_db_rows_per_s = dbRowsPerSecond;
    figures.profiles_db_time_rows_per_s = dbTimeRowsPerSecond;
    figures.profiles_stage_db_ratio = stageDbRatio;
    log(
      `  profiles stage: ${Math.round(rows)} profile rows written, ${Math.round(dbRowsPerSecond)}/s (${stageDbRatio.toFixed(2)} of the ceiling; ${Math.round(dbTimeRowsPerSecond)}/s of summed database time)`,
    );
    // Our profile writes proper: ProfileStore.writeEngagement (what the consumer calls, Kafka aside)
    // on batches of 500 distinct people, side by side in turn with a raw single-table upsert of the
    // same profile rows and a raw write of everything the data model holds for the batch (dedupe,
    // day-bucket and profile rows in one statement). profiles_db_ratio: ours over the raw upsert.
    log('Profile writes side by side (ProfileStore.writeEngagement, raw profile upsert, raw full data model; 500 people per batch)...');
    const writes = cli([
      'profile-writes',
      `db=${up.databaseUrls[up.settings.databases.profiles]}`,
      `rows=${Math.max(10_000, Math.round(EVENTS / 3))}`,
      'people=500',
    ]);
    /** @type {number} */
    const dbRatio = writes.store / writes.tableCeiling;
    /** @type {number} */
    const modelRatio = writes.store / writes.modelCeiling;
    figures.pg_upsert_ceiling_side = writes.tableCeiling;
    figures.pg_model_ceiling = writes.modelCeiling;
    figures.profiles_store_rows_per_s = writes.store;
    figures.profiles_db_ratio = dbRatio;
    figures.profiles_model_ratio = modelRatio;
    figures.pg_model_over_upsert = writes.modelCeiling / writes.tableCeiling;
    log(
      `  raw upsert ${Math.round(writes.tableCeiling)}, raw data model ${Math.round(writes.modelCeiling)}, ProfileStore ${Math.round(writes.store)} profile rows/s (${writes.eventsPerBatch} events, ${Math.round(writes.dayRowsPerBatch)} day rows per batch): ${dbRatio.toFixed(2)} of the raw upsert, ${modelRatio.toFixed(2)} of the raw data model`,
    );
  }

  if (wanted('naive')) {
    log(`Naive NestJS (@EventPattern per message, TypeORM findOne + save per event), ${NAIVE_EVENTS} events...`);
    const naive = cli([
      'naive',
      `db=${up.databaseUrls[up.settings.databases.profiles]}`,
      'topic=internal.engagement.normalized.v1',
      `expect=${NAIVE_EVENTS}`,
    ]);
    figures.naive_nest_eps = naive.perSecond;
    figures.speedup_vs_naive = profiles?.perSecond / naive.perSecond;
    log(`  ${Math.round(naive.perSecond)}/s`);
  }

  // All stages at once, from where the stage runs leave nothing behind: empty databases again (the
  // dispatcher stage queues some 24,000 sends that go out, paced per recipient, for minutes once
  // the services run again) and a group prefix of its own whose ingest starts at the ends of the
  // input topics (so only the run's own events count).
  if (wanted('e2e')) {
    log('End to end, every service at once...');
    const { profileSettings } = await import('./services.mjs');
    const { dropDatabases, ensurePostgres } = await import('./postgres.mjs');
    const databases = Object.values(profileSettings(PROFILE).databases);
    await dropDatabases(databases);
    await ensurePostgres({ databases });
    groupPrefix = `${groupPrefix}-e2e`;
    env.KAFKA_GROUP_PREFIX = groupPrefix;
    for (const service of ['ingest', 'profiles', 'scoring', 'dispatcher'])
      cli(['skip-to-end', `group=${groupPrefix}.${service}`, 'topics=all']);
    const all = ['whatsapp-sandbox', 'ingest', 'profiles', 'scoring', 'dispatcher'];
    await startServices({
      profile: PROFILE,
      brokers: up.brokers,
      databaseUrls: up.databaseUrls,
      only: all,
      extraEnv: Object.fromEntries(all.map((n) => [n, { ...env, ...unlimited[n] }])),
      log: () => {},
    });
    const e2e = cli(['e2e-throughput', `groupPrefix=${groupPrefix}`, `events=${Math.round(EVENTS / 2)}`, `run=${run}e`]);
    figures.e2e_eps = e2e.perSecond;
    log(`  sustained ${Math.round(e2e.perSecond)} events/s (${e2e.events} events in ${e2e.seconds.toFixed(1)} s)`);
    const latency = cli([
      'e2e-latency',
      `groupPrefix=${groupPrefix}`,
      `scoringUrl=${up.settings.urls.scoring}`,
      `rate=${Math.max(1, Math.round(e2e.perSecond / 2))}`,
      'seconds=30',
      `run=${run}l`,
    ]);
    figures.e2e_latency_rate = Math.round(e2e.perSecond / 2);
    // No decision observed means no latency measured: null, never a zero that looks like a result.
    figures.e2e_p50_ms = latency.decisions > 0 ? latency.p50 : null;
    figures.e2e_p99_ms = latency.decisions > 0 ? latency.p99 : null;
    figures.e2e_latency_decisions = latency.decisions;
    // 0: earlier runs' paced sends were still going out (and being learned from) during the run.
    figures.e2e_latency_sends_settled = latency.settled ? 1 : 0;
    log(
      `  at ${figures.e2e_latency_rate} events/s: p50 ${latency.p50} ms, p99 ${latency.p99} ms over ${latency.decisions} decisions made (scoring's event-age histogram)`,
    );
    // The published ones (a decision is published only when it changed): a smaller sample, read from the topic.
    const published = latency.published;
    figures.e2e_published_decisions = published.n;
    figures.e2e_published_p50_ms = published.n > 0 ? published.p50 : null;
    figures.e2e_published_p99_ms = published.n > 0 ? published.p99 : null;
    log(`    of them published (changed): ${published.n}, p50 ${published.p50} ms, p99 ${published.p99} ms, max ${published.max} ms`);
    // Cumulative time from the event to each hop's record (Kafka timestamps): where the latency builds.
    for (const [hop, t] of Object.entries(latency.breakdown ?? {})) {
      log(`    event → ${hop.padEnd(10)} p50 ${t.p50} ms, p99 ${t.p99} ms (${t.n} records)`);
      figures[`e2e_${hop}_p50_ms`] = t.n > 0 ? t.p50 : null;
      figures[`e2e_${hop}_p99_ms`] = t.n > 0 ? t.p99 : null;
    }
  }
} finally {
  await stopServices({ profile: PROFILE, log: () => {} });
  await stackDown({ profile: PROFILE, services: [], log: () => {} });
}

const rounded = Object.fromEntries(
  Object.entries(figures).map(([k, v]) => [k, v === null || Number.isNaN(v) ? null : Math.round(v * 1000) / 1000]),
);
const result = { at: new Date().toISOString(), settings, figures: rounded };
const dir = path.join(ROOT, 'bench/results');
fs.mkdirSync(path.join(dir, 'history'), { recursive: true });
if (ONLY) {
  result.settings.only = [...ONLY];
  fs.writeFileSync(path.join(dir, 'partial.json'), JSON.stringify(result, null, 2) + '\n');
} else {
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'history', `${result.at.replace(/[:.]/g, '-')}.json`), JSON.stringify(result, null, 2) + '\n');
}

/** @type {Array<[string, '<' | '>=', number]>} */
const goals = [
  ['ingest_ratio', '>=', 0.5],
  ['profiles_ratio', '>=', 0.3],
  ['scoring_ratio', '>=', 0.5],
  ['dispatcher_ratio', '>=', 0.5],
  ['speedup_vs_naive', '>=', 10],
  ['profiles_db_ratio', '>=', 0.7],
  ['e2e_p99_ms', '<', 500],
];
console.log('\nfigure                         value        goal');
for (const [name, value] of Object.entries(rounded)) {
  const goal = goals.find(([g]) => g === name);
  const met = goal && value !== null && (goal[1] === '<' ? value < goal[2] : value >= goal[2]);
  const verdict = goal ? `${goal[1]} ${goal[2]}  ${value === null ? 'not measured' : met ? 'met' : 'MISSED'}` : '';
  console.log(`${name.padEnd(30)} ${String(value).padStart(12)}  ${verdict}`);
}
console.log(`\nwritten to bench/results/${ONLY ? 'partial' : 'latest'}.json (${EVENTS} events, ${settings.recordBytes} bytes each)`);
