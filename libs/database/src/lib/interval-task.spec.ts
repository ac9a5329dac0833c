import { Logger } from '@nestjs/common';
import { IntervalTask } from './interval-task';

/** A task whose runs the test ends by hand, started every second; its first run under way. */
function firstRunUnderWay(logger: Logger) {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const task = jest.fn(() => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })));
  const job = new IntervalTask('purge', task, logger);
  job.start(1000);
  expect(task).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1000);
  expect(task).toHaveBeenCalledTimes(1);
  return { task, pending, job };
}

describe('IntervalTask', () => {
  const logger = new Logger('test');
  let errors: jest.SpyInstance;
  beforeEach(() => {
    jest.useFakeTimers();
    errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    errors.mockRestore();
  });

  it('runs one interval after start, and skips ticks while a run is in progress', async () => {
    const { task, pending, job } = firstRunUnderWay(logger);
    jest.advanceTimersByTime(3000);
    expect(task).toHaveBeenCalledTimes(1);
    pending[0]?.resolve();
    await Promise.resolve();
    await jest.advanceTimersByTimeAsync(1000);
    expect(task).toHaveBeenCalledTimes(2);
    pending[1]?.resolve();
    await job.stop();
  });

  it('logs a failed run (this test makes it fail on purpose) and runs again at the next tick', async () => {
    const { task, pending, job } = firstRunUnderWay(logger);
    pending[0]?.reject(new Error('connection lost'));
    await jest.advanceTimersByTimeAsync(1000);
    expect(errors).toHaveBeenCalledWith('purge failed (retried next interval): connection lost');
    expect(task).toHaveBeenCalledTimes(2);
    pending[1]?.resolve();
    await job.stop();
  });

  it('stop waits for the run in progress, and no run starts after it', async () => {
    const { task, pending, job } = firstRunUnderWay(logger);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    pending[0]?.resolve();
    await stopping;
    expect(stopped).toBe(true);
    await jest.advanceTimersByTimeAsync(5000);
    expect(task).toHaveBeenCalledTimes(1);
  });
});
