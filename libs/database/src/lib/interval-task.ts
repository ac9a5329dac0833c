import { type Logger } from '@nestjs/common';

/**
 * A task a replica runs on a timer, one run at a time: a tick while a run is in progress is
 * skipped, the timer does not keep the process alive, a failure is logged (`<what> failed
 * (retried next interval): <message>`) and the next tick tries again, and `stop()` waits for the
 * run in progress. The first run is one interval after `start`, so that a restart storm does not
 * run it at once. For a service's `onApplicationBootstrap` and shutdown hooks.
 */
export class IntervalTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly what: string,
    private readonly task: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Runs the task now, unless a run is in progress (then returns at once). */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.task()
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.error(`${this.what} failed (retried next interval): ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => (this.running = undefined));
    await this.running;
  }

  /** No run after this; waits for the run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
