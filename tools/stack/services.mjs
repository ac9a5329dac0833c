// Starts and stops the platform's services as background processes (for `npm run up`, the demo
// and the end-to-end tests). Only builtins here: this runs before anything is known to be built.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackCacheRoot } from './cache-dir.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** @typedef {(message: string) => void} Log */

/**
 * Per profile: HTTP ports, consumer-group prefix, database prefix. Ports overridable by env.
 * @type {Record<string, {basePort: number, groupPrefix: string, dbPrefix: string} | undefined>}
 */
export const STACK_PROFILES = {
  dev: { basePort: 3000, groupPrefix: 'wt', dbPrefix: 'wt_' },
  test: { basePort: 4000, groupPrefix: 'wt-test', dbPrefix: 'wt_test_' },
  bench: { basePort: 5000, groupPrefix: 'wt-bench', dbPrefix: 'wt_bench_' },
};

/** The services, in start order; `db` marks those that own a database. */
export const SERVICES = [
  { name: 'whatsapp-sandbox', offset: 5, portEnv: 'WHATSAPP_SANDBOX_PORT', db: false },
  { name: 'profiles', offset: 2, portEnv: 'PROFILES_PORT', db: true },
  { name: 'scoring', offset: 3, portEnv: 'SCORING_PORT', db: true },
  { name: 'dispatcher', offset: 4, portEnv: 'DISPATCHER_PORT', db: true },
  { name: 'ingest', offset: 1, portEnv: 'INGEST_PORT', db: true },
  { name: 'assistant', offset: 6, portEnv: 'ASSISTANT_PORT', db: true },
];

/**
 * WT_STACK_SLOT=n (1-9) runs a separate copy of a profile beside the default one: ports moved by
 * n*100, its own databases and consumer groups. Several developers (or agents) share a machine.
 */
export function stackSlot() {
  const raw = process.env.WT_STACK_SLOT;
  if (!raw) return 0;
  const slot = Number(raw);
  if (!Number.isInteger(slot) || slot < 1 || slot > 9) throw new Error('WT_STACK_SLOT must be an integer from 1 to 9');
  return slot;
}

/** @param {string} profile dev, test or bench */
export function profileSettings(profile) {
  const base = STACK_PROFILES[profile];
  if (!base) throw new Error(`unknown stack profile "${profile}" (dev or test)`);
  const slot = stackSlot();
  const settings = slot
    ? { basePort: base.basePort + slot * 100, groupPrefix: `${base.groupPrefix}-s${slot}`, dbPrefix: `${base.dbPrefix}s${slot}_` }
    : base;
  const ports = Object.fromEntries(SERVICES.map((s) => [s.name, Number(process.env[s.portEnv] ?? settings.basePort + s.offset)]));
  const databases = Object.fromEntries(SERVICES.filter((s) => s.db).map((s) => [s.name, `${settings.dbPrefix}${s.name}`]));
  // The key vault (per-person keys that seal phone numbers): its own database, reached by every service that seals or opens.
  databases.vault = `${settings.dbPrefix}vault`;
  // Where the test profile's services send their spans (OTLP/HTTP): a receiver the traces e2e test
  // runs (tools/e2e/src/traces.e2e-spec.ts); nothing listens otherwise and the spans are dropped.
  const otlpPort = Number(process.env.WT_TEST_OTLP_PORT ?? settings.basePort + 18);
  return {
    ...settings,
    ports,
    databases,
    otlpPort,
    urls: Object.fromEntries(SERVICES.map((s) => [s.name, `http://127.0.0.1:${ports[s.name]}`])),
  };
}

/** @param {string} profile */
function stateDir(profile) {
  const dir = path.join(stackCacheRoot(), 'stack', profile, 'services' + (stackSlot() ? `-s${stackSlot()}` : ''));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A service's n-th replica (n > 1, for the fault run's freeze rounds): the same settings, its own
 * port (the first's + 10·(n−1)), pid file and log. The first replica is the service itself.
 */
const instance = (/** @type {string} */ name, replica = 1) => (replica > 1 ? `${name}-${replica}` : name);
const replicaPort = (/** @type {number} */ port, replica = 1) => port + 10 * (replica - 1);

/**
 * Pid of a service (or of its n-th replica) this tool started, if it runs.
 * @param {string} profile
 * @param {string} name
 */
export function servicePid(profile, name, replica = 1) {
  const file = path.join(stateDir(profile), `${instance(name, replica)}.pid`);
  if (!fs.existsSync(file)) return undefined;
  const pid = Number(fs.readFileSync(file, 'utf8'));
  return alive(pid) ? pid : undefined;
}

/** How each local secret is made. */
const SECRET_MAKERS = {
  PSEUDONYM_SECRET: () => randomBytes(32).toString('hex'),
  CONTACT_KEY: () => randomBytes(32).toString('base64'),
  VAULT_KEK: () => randomBytes(32).toString('base64'),
  WHATSAPP_ACCESS_TOKEN: () => randomBytes(24).toString('hex'),
  WHATSAPP_APP_SECRET: () => randomBytes(24).toString('hex'),
  WHATSAPP_VERIFY_TOKEN: () => randomBytes(12).toString('hex'),
  OPERATIONS_TOKEN: () => randomBytes(24).toString('hex'),
};
/** @typedef {Record<keyof typeof SECRET_MAKERS, string>} LocalSecrets */

/**
 * Local secrets, made once per profile and kept outside the repository (never committed,
 * not even for tests). Production takes them from Kubernetes Secrets.
 * @param {string} profile
 * @returns {LocalSecrets}
 */
export function localSecrets(profile) {
  const file = path.join(stackCacheRoot(), 'stack', profile, 'secrets.json');
  /** @type {Partial<LocalSecrets>} */
  const secrets = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const names = /** @type {(keyof LocalSecrets)[]} */ (Object.keys(SECRET_MAKERS));
  const missing = names.filter((name) => !secrets[name]);
  if (missing.length > 0) {
    // New secrets are added without touching existing ones (data sealed with them stays readable).
    for (const name of missing) secrets[name] = SECRET_MAKERS[name]();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  // Every name has a value now (the missing ones were made above).
  return /** @type {LocalSecrets} */ (secrets);
}

/**
 * The environment of one service.
 * @param {string} name
 * @param {{profile: string, brokers: string, databaseUrls: Record<string, string>}} stack
 *   `databaseUrls`: database name -> URL (ensurePostgres)
 */
export function serviceEnv(name, { profile, brokers, databaseUrls }) {
  const settings = profileSettings(profile);
  const secrets = localSecrets(profile);
  const common = {
    NODE_ENV: profile === 'test' ? 'test' : 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    PORT: String(settings.ports[name]),
    KAFKA_BROKERS: brokers,
    KAFKA_GROUP_PREFIX: settings.groupPrefix,
    // Tracing on in the test profile (spans to the e2e receiver); elsewhere only when the caller sets it.
    ...(profile === 'test' ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${settings.otlpPort}` } : {}),
  };
  const db = settings.databases[name] ? { DATABASE_URL: databaseUrls[settings.databases[name]] } : {};
  // CONTACT_KEY (the former platform key) only opens numbers sealed before per-person keys.
  const vault = {
    VAULT_DATABASE_URL: databaseUrls[settings.databases.vault],
    VAULT_KEK: secrets.VAULT_KEK,
    CONTACT_KEY: secrets.CONTACT_KEY,
  };
  const identity = { PSEUDONYM_SECRET: secrets.PSEUDONYM_SECRET, ...vault };
  switch (name) {
    case 'ingest':
      // Its database holds the API keys of its HTTP doors.
      return { ...common, ...db, ...identity };
    case 'profiles':
      return { ...common, ...db, ...identity, OPERATIONS_TOKEN: secrets.OPERATIONS_TOKEN };
    case 'scoring':
      // Quiet hours (21:00-08:00 local by default in production) are off on the local stack unless
      // asked for, so that the demo and the e2e run do not depend on the time of day.
      return { ...common, ...db, QUIET_START_HOUR: process.env.QUIET_START_HOUR ?? '0', QUIET_END_HOUR: process.env.QUIET_END_HOUR ?? '0' };
    case 'dispatcher':
      return {
        ...common,
        ...db,
        ...identity,
        WHATSAPP_BASE_URL: settings.urls['whatsapp-sandbox'],
        WHATSAPP_ACCESS_TOKEN: secrets.WHATSAPP_ACCESS_TOKEN,
        WHATSAPP_APP_SECRET: secrets.WHATSAPP_APP_SECRET,
        WHATSAPP_VERIFY_TOKEN: secrets.WHATSAPP_VERIFY_TOKEN,
        // Meta's messaging limit of a portfolio at its third tier, for every business of the local stack.
        PORTFOLIO_MESSAGING_LIMITS: process.env.PORTFOLIO_MESSAGING_LIMITS ?? '*=10000',
      };
    case 'assistant':
      // Set by stack.mjs from the model cache (embedding-model.mjs); unset, the assistant matches by words only.
      return {
        ...common,
        ...db,
        ...vault,
        ...(process.env.EMBEDDING_MODEL ? { EMBEDDING_MODEL: process.env.EMBEDDING_MODEL } : {}),
        ...(process.env.EMBEDDING_TOKENIZER ? { EMBEDDING_TOKENIZER: process.env.EMBEDDING_TOKENIZER } : {}),
      };
    case 'whatsapp-sandbox':
      return {
        ...common,
        SANDBOX_ACCESS_TOKEN: secrets.WHATSAPP_ACCESS_TOKEN,
        SANDBOX_APP_SECRET: secrets.WHATSAPP_APP_SECRET,
        SANDBOX_WEBHOOK_URL: `${settings.urls.dispatcher}/v1/webhooks/whatsapp`,
      };
    default:
      throw new Error(`unknown service ${name}`);
  }
}

/** @param {string} url */
async function healthy(url, kind = 'ready') {
  try {
    const response = await fetch(`${url}/health/${kind}`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} file */
function tail(file, lines = 25) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts every service not already answering, waits until each is ready (Kafka consumer
 * joined, database reachable). Returns the names it started, so the caller stops only those.
 * @param {{profile: string, brokers: string, databaseUrls: Record<string, string>, log?: Log, timeoutMs?: number,
 *          only?: string[], extraEnv?: Record<string, NodeJS.ProcessEnv>, nodeArgs?: Record<string, string[]>,
 *          replica?: number}} options
 *   `only`: these services (all when left out); `extraEnv`, `nodeArgs`: per service name; `replica`: n > 1
 *   starts the n-th replica of each
 * @returns {Promise<string[]>}
 */
export async function startServices({
  profile,
  brokers,
  databaseUrls,
  log = console.log,
  timeoutMs = 90_000,
  only,
  extraEnv = {},
  nodeArgs = {},
  replica = 1,
}) {
  const settings = profileSettings(profile);
  const dir = stateDir(profile);
  /** @type {string[]} */
  const started = [];
  for (const service of SERVICES) {
    if (only && !only.includes(service.name)) continue;
    const port = replicaPort(settings.ports[service.name], replica);
    const url = `http://127.0.0.1:${port}`;
    const name = instance(service.name, replica);
    if (await healthy(url, 'live')) {
      log(`  ${service.name.padEnd(17)} already running at ${url}`);
      continue;
    }
    const main = path.join(
      ROOT,
      'dist',
      service.name === 'whatsapp-sandbox' ? 'apps/whatsapp-sandbox' : `apps/${service.name}`,
      'src/main.js',
    );
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first (npx nx run-many -t build)`);
    const logFile = path.join(dir, `${name}.log`);
    const out = fs.openSync(logFile, 'a');
    // nodeArgs: extra node options per service (e.g. --cpu-prof, which NODE_OPTIONS does not allow).
    const child = spawn(process.execPath, ['--enable-source-maps', ...(nodeArgs[service.name] ?? []), main], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...serviceEnv(service.name, { profile, brokers, databaseUrls }),
        ...extraEnv[service.name],
        ...(replica > 1 ? { PORT: String(port) } : {}),
      },
      detached: true,
      stdio: ['ignore', out, out],
    });
    child.unref();
    fs.writeFileSync(path.join(dir, `${name}.pid`), String(child.pid));
    started.push(service.name);
  }
  try {
    await waitReady({ profile, started, timeoutMs, log, only, replica });
  } catch (error) {
    throw Object.assign(/** @type {Error} */ (error), { startedServices: started });
  }
  return started;
}

/**
 * @param {{profile: string, started: string[], timeoutMs: number, log: Log, only?: string[], replica?: number}} options
 */
async function waitReady({ profile, started, timeoutMs, log, only, replica = 1 }) {
  const settings = profileSettings(profile);
  const dir = stateDir(profile);
  const deadline = Date.now() + timeoutMs;
  for (const service of SERVICES) {
    if (only && !only.includes(service.name)) continue;
    const url = `http://127.0.0.1:${replicaPort(settings.ports[service.name], replica)}`;
    const name = instance(service.name, replica);
    const pidFile = path.join(dir, `${name}.pid`);
    while (!(await healthy(url))) {
      const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : undefined;
      if (started.includes(service.name) && pid && !alive(pid)) {
        throw new Error(`${name} exited during start. Last log lines:\n${tail(path.join(dir, `${name}.log`))}`);
      }
      if (Date.now() > deadline) throw new Error(`${name} not ready at ${url}/health/ready after ${timeoutMs} ms`);
      await sleep(300);
    }
    log(`  ${name.padEnd(17)} ready at ${url}  (log: ${path.join(dir, `${name}.log`)})`);
  }
}

/**
 * Stops services this tool started (pid files; every replica), SIGTERM then SIGKILL after a grace period, all at once.
 * @param {{profile: string, only?: string[], log?: Log, graceMs?: number}} options
 *   `only`: these services (every one this tool started when left out)
 */
export async function stopServices({ profile, only = undefined, log = console.log, graceMs = 15_000 }) {
  const dir = stateDir(profile);
  const stopOne = async (/** @type {{name: string}} */ service) => {
    const pidFile = path.join(dir, `${service.name}.pid`);
    if (!fs.existsSync(pidFile)) return undefined;
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    let stopped;
    if (alive(pid)) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (alive(pid) && Date.now() < deadline) await sleep(100);
      if (alive(pid)) {
        process.kill(pid, 'SIGKILL');
        log(`  ${service.name} did not stop within ${graceMs} ms: killed`);
      }
      log(`  stopped ${service.name}`);
      stopped = service.name;
    }
    fs.rmSync(pidFile, { force: true });
    return stopped;
  };
  const targets = SERVICES.filter((s) => !only || only.includes(s.name)).flatMap((s) => {
    const replicas = fs
      .readdirSync(dir)
      .map((f) => new RegExp(`^${s.name}-(\\d+)\\.pid$`).exec(f)?.[1])
      .filter(Boolean)
      .map((n) => ({ ...s, name: `${s.name}-${n}` }));
    return [s, ...replicas];
  });
  return (await Promise.all(targets.map(stopOne))).filter((name) => name !== undefined);
}
