// Brings up the test profile's stack once per jest run (and the services for the e2e run), and
// hands the addresses to the tests through the environment. Set by tools/stack/test.mjs,
// WT_STACK_KEEP=1 leaves the stack running for the next jest run; `npm test` stops it at the end.
/** @typedef {Awaited<ReturnType<typeof import('../stack/stack.mjs').stackUp>>} StackUp */

/**
 * The last line of a command's output (the JSON it prints after its logs).
 * @param {string} output
 */
const lastLine = (output) => {
  const text = output.trim();
  return text.slice(text.lastIndexOf('\n') + 1);
};

/**
 * @param {import('jest').GlobalConfig} globalConfig
 * @param {import('jest').ProjectConfig} projectConfig
 */
module.exports = async (globalConfig, projectConfig) => {
  const { stackUp } = await import('../stack/stack.mjs');
  // Jest hands the normalized config: a display name is always `{ name, color }` there.
  const services = projectConfig.displayName?.name === 'e2e';
  const up = await stackUp({ profile: 'test', services, build: services && !process.env.WT_STACK_KEEP, log: () => {} });
  process.env.KAFKA_BROKERS = up.brokers;
  if (up.saslBrokers) process.env.KAFKA_SASL_BROKERS = up.saslBrokers;
  process.env.WT_TEST_DATABASE_URLS = JSON.stringify(up.databaseUrls);
  process.env.WT_TEST_SERVICE_URLS = JSON.stringify(up.settings.urls);
  process.env.WT_TEST_OTLP_PORT = String(up.settings.otlpPort);
  process.env.WT_TEST_DB_NAMES = JSON.stringify(up.settings.databases);
  // The key vault's KEK of the test profile: every service a test starts must share it.
  const secrets = (await import('../stack/services.mjs')).localSecrets('test');
  process.env.WT_TEST_VAULT_KEK = secrets.VAULT_KEK;
  // The e2e tests call the operations routes (erasure) and open sealed values as any service would.
  process.env.WT_TEST_OPERATIONS_TOKEN = secrets.OPERATIONS_TOKEN;
  process.env.WT_TEST_CONTACT_KEY = secrets.CONTACT_KEY;
  // For global-teardown.cjs (jest runs both in its main process): the stack this run started.
  /** @type {{ __WT_STACK__?: StackUp }} */ (globalThis).__WT_STACK__ = up;
  if (services) {
    // An assistant API key for the end-to-end tests, issued the way an operator does.
    const { serviceEnv } = await import('../stack/services.mjs');
    const { spawnSync } = require('node:child_process');
    const path = require('node:path');
    const businessId = `e2e-assistant-${Date.now().toString(36)}`;
    const issued = spawnSync(
      process.execPath,
      [path.join(__dirname, '../../dist/apps/assistant/src/main.js'), 'api-key', 'issue', businessId, 'e2e'],
      {
        env: { ...process.env, ...serviceEnv('assistant', { profile: 'test', brokers: up.brokers, databaseUrls: up.databaseUrls }) },
        encoding: 'utf8',
      },
    );
    if (issued.status !== 0) throw new Error(`could not issue an assistant key: ${issued.stderr}`);
    const key = JSON.parse(lastLine(issued.stdout));
    process.env.WT_TEST_ASSISTANT_BUSINESS = businessId;
    process.env.WT_TEST_ASSISTANT_KEY = key.key ?? key.apiKey ?? key.token;

    // Ingest's doors: a business key (consents of its business) and a producer key (instagram's
    // engagement events), issued the way an operator does (docs/authentication.md).
    const ingestKey = (/** @type {string[]} */ ...args) => {
      const out = spawnSync(process.execPath, [path.join(__dirname, '../../dist/apps/ingest/src/main.js'), 'api-key', ...args], {
        env: { ...process.env, ...serviceEnv('ingest', { profile: 'test', brokers: up.brokers, databaseUrls: up.databaseUrls }) },
        encoding: 'utf8',
      });
      if (out.status !== 0) throw new Error(`could not issue an ingest key (${args.join(' ')}): ${out.stderr}`);
      return JSON.parse(lastLine(out.stdout)).apiKey;
    };
    const ingestBusiness = `e2e-business-${Date.now().toString(36)}`;
    process.env.WT_TEST_INGEST_BUSINESS = ingestBusiness;
    process.env.WT_TEST_INGEST_BUSINESS_KEY = ingestKey('issue', ingestBusiness, 'e2e');
    process.env.WT_TEST_INGEST_PRODUCER_KEY = ingestKey('issue-producer', 'instagram', 'e2e');
  }
};
