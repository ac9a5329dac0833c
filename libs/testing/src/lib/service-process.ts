import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { childLogDir, freePort, stopChild, waitUntilReady } from './child-process';
import { testDatabaseUrl } from './test-env';

const ROOT = path.resolve(__dirname, '../../../..');

/**
 * A built app (`dist/apps/<app>/src/main.js`) run as a child process on a port of its own, its
 * output appended to `<childLogDir>/<logName>.log`. Started again after a stop or a kill, with the
 * same base environment; the child's own PATH, NODE_ENV=test, LOG_LEVEL=info and PORT come first.
 */
export class ServiceProcess {
  /** The service's process (the last `start`), running or ended. */
  private child: ChildProcess | undefined;
  readonly logFile: string;

  private constructor(
    readonly app: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    logName: string,
  ) {
    this.logFile = path.join(childLogDir(), `${logName}.log`);
  }

  /** On a free port; `build`: the app is built first, so that the test never runs stale code. */
  static async create(
    app: string,
    logName: string,
    env: Record<string, string>,
    options: { build?: boolean } = {},
  ): Promise<ServiceProcess> {
    if (options.build)
      execFileSync(process.execPath, [path.join(ROOT, 'tools/build/swc-build.mjs'), `apps/${app}`], { cwd: ROOT, stdio: 'ignore' });
    return new ServiceProcess(app, await freePort(), env, logName);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the app, `env` over the base environment, and waits until it answers `/health/ready`. */
  async start(env: Record<string, string> = {}): Promise<void> {
    this.child = this.launch(env);
    await this.ready();
  }

  /** Runs the app in a one-shot mode (`WT_RUN_MODE=...` in `env`) beside the service: its exit code and what it logged. */
  async runOnce(env: Record<string, string>): Promise<{ code: number | null; log: string }> {
    const before = fs.statSync(this.logFile, { throwIfNoEntry: false })?.size ?? 0;
    const [code] = (await once(this.launch(env), 'exit')) as [number | null];
    return { code, log: this.logSince(before) };
  }

  async ready(): Promise<void> {
    await waitUntilReady(this.app, this.child, this.url, this.logFile);
  }

  /** Stops the last child (SIGKILL when it lingers past `lingerMs`); nothing to do once it has ended. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', lingerMs?: number): Promise<void> {
    await stopChild(this.child, signal, lingerMs);
  }

  /** What every run wrote to the log, from byte `offset` on. */
  logSince(offset = 0): string {
    return fs.readFileSync(this.logFile, 'utf8').slice(offset);
  }

  private launch(env: Record<string, string>): ChildProcess {
    const out = fs.openSync(this.logFile, 'a');
    try {
      return spawn(process.execPath, [path.join(ROOT, `dist/apps/${this.app}/src/main.js`)], {
        env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: String(this.port), ...this.env, ...env },
        stdio: ['ignore', out, out],
      });
    } finally {
      fs.closeSync(out);
    }
  }
}

/** A database of a test's own, created on the test server of `service` and dropped (connections closed) at the end. */
export class ScratchDatabase {
  private constructor(
    readonly url: string,
    readonly pg: Client,
    private readonly adminUrl: string,
    private readonly name: string,
  ) {}

  static async create(service: string, name: string): Promise<ScratchDatabase> {
    const adminUrl = testDatabaseUrl(service);
    await onDatabaseServer(adminUrl, `CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const pg = new Client({ connectionString: url.toString() });
    await pg.connect();
    return new ScratchDatabase(url.toString(), pg, adminUrl, name);
  }

  async drop(): Promise<void> {
    await this.pg.end();
    await onDatabaseServer(this.adminUrl, `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
  }
}

/** Runs `sql` on the server of `adminUrl` in a connection of its own (CREATE or DROP DATABASE, say). */
export async function onDatabaseServer(adminUrl: string, sql: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
