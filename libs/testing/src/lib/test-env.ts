import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';

/** What the global setup started, for integration and e2e tests. */
export function testBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through jest.integration.config.js or npm test');
  return brokers.split(',');
}

/** Connection URL of a service's test database (`profiles`, `scoring`, `dispatcher`). */
export function testDatabaseUrl(service: string): string {
  const names = JSON.parse(process.env['WT_TEST_DB_NAMES'] ?? '{}') as Record<string, string>;
  const urls = JSON.parse(process.env['WT_TEST_DATABASE_URLS'] ?? '{}') as Record<string, string>;
  const url = urls[names[service]];
  if (!url) throw new Error(`no test database for ${service}`);
  return url;
}

/** The key vault of the test stack (per-person keys): every service a test starts needs these. */
export function testVaultEnv(): { VAULT_DATABASE_URL: string; VAULT_KEK: string } {
  const kek = process.env['WT_TEST_VAULT_KEK'];
  if (!kek) throw new Error('WT_TEST_VAULT_KEK is not set: run through jest.integration.config.js or npm test');
  return { VAULT_DATABASE_URL: testDatabaseUrl('vault'), VAULT_KEK: kek };
}

export function testServiceUrl(service: string): string {
  const urls = JSON.parse(process.env['WT_TEST_SERVICE_URLS'] ?? '{}') as Record<string, string>;
  const url = urls[service];
  if (!url) throw new Error(`no test URL for ${service}`);
  return url;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * An ingest API key issued as an operator does (`node dist/apps/ingest/src/main.js api-key …`,
 * the built service, on the test stack's ingest database): `issue <businessId>` for a business's
 * consents, `issue-producer <source>` for engagement from one source. Returns the bearer token.
 */
export function issueIngestKey(action: 'issue' | 'issue-producer', subject: string): string {
  const root = path.resolve(__dirname, '../../../..');
  const out = execFileSync(process.execPath, [path.join(root, 'dist/apps/ingest/src/main.js'), 'api-key', action, subject, 'test'], {
    cwd: root,
    env: { PATH: process.env['PATH'], DATABASE_URL: testDatabaseUrl('ingest') },
    encoding: 'utf8',
  });
  return (JSON.parse(out.trim().split('\n').at(-1) as string) as { apiKey: string }).apiKey;
}

/**
 * The settings of a service an integration spec runs in-process on the test stack: its test database,
 * the test brokers, a consumer group prefix of its own (`it-<service>-<random>`) and no logs; `extra`
 * adds (or overrides) what the spec needs.
 */
export function inProcessServiceEnv(service: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: testDatabaseUrl(service),
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_GROUP_PREFIX: `it-${service}-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** The base URL of an app listening on the loopback (Nest names it `[::1]`; fetch goes to 127.0.0.1). */
export async function localUrlOf(app: { getUrl(): Promise<string> }): Promise<string> {
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}
