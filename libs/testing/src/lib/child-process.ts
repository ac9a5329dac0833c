import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eventually } from './test-env';

/** True once the process has ended, by exit or by a signal (then `exitCode` stays null). */
export function hasEnded(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Waits until a service started as a child process answers `GET <url>/health/ready`; fails at once,
 * with the end of its log, if the process ends first. Three minutes: on two cores shared by many
 * jobs (load average above 60 seen), loading a service's modules alone took 23 s.
 */
export async function waitUntilReady(
  name: string,
  child: ChildProcess | undefined,
  url: string,
  logFile: string,
  timeoutMs = 180_000,
): Promise<void> {
  await eventually(
    `${name} to be ready`,
    async () => {
      if (child && hasEnded(child)) throw new Error(`${name} exited: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
      try {
        return (await fetch(`${url}/health/ready`)).ok || undefined;
      } catch {
        return undefined;
      }
    },
    timeoutMs,
  );
}

/**
 * Stops a child process with `signal` and waits for it to end; one still there after `lingerMs`
 * (a graceful stop finishing its batch on a loaded machine) is killed. Already ended: nothing to do.
 */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL', lingerMs = 10_000): Promise<void> {
  if (!child || hasEnded(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const lingering = setTimeout(() => child.kill('SIGKILL'), lingerMs);
  await exited;
  clearTimeout(lingering);
}

/** A TCP port free on 127.0.0.1 right now, for a child service to listen on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Where integration tests write their children's logs, per stack slot (scanned for clear numbers). */
export function childLogDir(): string {
  const dir = path.join(os.tmpdir(), 'wt-test-logs', `slot-${process.env['WT_STACK_SLOT'] ?? '0'}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
