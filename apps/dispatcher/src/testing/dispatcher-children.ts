import { childLogDir, freePort, testBrokers, testDatabaseUrl, testVaultEnv, stopChild, waitUntilReady } from '@wt/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '../../../..');

export { freePort };

/** A built service run as a child process, killable with SIGKILL and restartable. */
export class ServiceChild {
  private child: ChildProcess | undefined;
  readonly logFile: string;

  constructor(
    readonly name: string,
    private readonly main: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    run: string,
  ) {
    this.logFile = path.join(childLogDir(), `${name}-${run}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the service and waits until it is ready; `envChanges` stay for later restarts (a rotated token, say). */
  async start(envChanges: Record<string, string> = {}): Promise<void> {
    Object.assign(this.env, envChanges);
    const out = fs.openSync(this.logFile, 'a');
    this.child = spawn(process.execPath, [path.join(ROOT, this.main)], {
      env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: String(this.port), ...this.env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    await waitUntilReady(this.name, this.child, this.url, this.logFile);
  }

  /** Stops the child (a process already ended by a signal counts as stopped); SIGKILL if it lingers 10 s. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await stopChild(this.child, signal);
  }
}

/** A fresh database for one test file, on the test profile's server. */
export async function freshDatabase(name: string): Promise<{ url: string; pg: Client; drop: () => Promise<void> }> {
  const admin = new URL(testDatabaseUrl('dispatcher'));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const adminClient = new Client({ connectionString: admin.toString() });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${name}`);
  await adminClient.end();
  const pg = new Client({ connectionString: url.toString() });
  await pg.connect();
  return {
    url: url.toString(),
    pg,
    drop: async () => {
      await pg.end();
      const again = new Client({ connectionString: admin.toString() });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

export interface DispatcherStack {
  sandbox: ServiceChild;
  dispatcher: ServiceChild;
  contactKey: string;
  pseudonymSecret: string;
  /** The access token both expect, the app secret that signs webhooks, and the webhook verify token. */
  accessToken: string;
  appSecret: string;
  verifyToken: string;
}

/** The built sandbox and dispatcher, wired to each other, the test broker and a fresh database. */
export async function dispatcherStack(
  run: string,
  databaseUrl: string,
  dispatcherEnv: Record<string, string> = {},
  sandboxEnv: Record<string, string> = {},
): Promise<DispatcherStack> {
  const token = randomBytes(24).toString('hex');
  const appSecret = randomBytes(24).toString('hex');
  const contactKey = randomBytes(32).toString('base64');
  const pseudonymSecret = randomBytes(32).toString('hex');
  const verifyToken = randomBytes(12).toString('hex');
  // Two calls may get the same port (each is released at once): draw again until they differ.
  const sandboxPort = await freePort();
  let dispatcherPort = await freePort();
  while (dispatcherPort === sandboxPort) dispatcherPort = await freePort();
  const sandbox = new ServiceChild(
    'sandbox',
    'dist/apps/whatsapp-sandbox/src/main.js',
    sandboxPort,
    {
      SANDBOX_ACCESS_TOKEN: token,
      SANDBOX_APP_SECRET: appSecret,
      SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${dispatcherPort}/v1/webhooks/whatsapp`,
      SANDBOX_WEBHOOK_RETRY_BASE_MS: '1000',
      SANDBOX_WEBHOOK_MAX_ATTEMPTS: '8',
      ...sandboxEnv,
    },
    run,
  );
  const dispatcher = new ServiceChild(
    'dispatcher',
    'dist/apps/dispatcher/src/main.js',
    dispatcherPort,
    {
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_GROUP_PREFIX: `it-dispatch-${run}`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      DATABASE_URL: databaseUrl,
      DB_MIGRATIONS_RUN: 'true',
      WHATSAPP_BASE_URL: sandbox.url,
      WHATSAPP_ACCESS_TOKEN: token,
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_VERIFY_TOKEN: verifyToken,
      WHATSAPP_TIMEOUT_MS: '1500',
      PSEUDONYM_SECRET: pseudonymSecret,
      // Fixtures seal with the former platform key (v1), which the dispatcher still opens; per-person keys come from the vault.
      CONTACT_KEY: contactKey,
      ...testVaultEnv(),
      ...dispatcherEnv,
    },
    run,
  );
  return { sandbox, dispatcher, contactKey, pseudonymSecret, accessToken: token, appSecret, verifyToken };
}
