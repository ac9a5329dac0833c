import { apiKeyCommand } from '@wt/business-auth';
import { runProgram, serviceProgram } from '@wt/runtime';
import { type DataSource } from 'typeorm';

/** Ingest's command tree as main.ts builds it, with a database that must not be reached. */
function ingestTree() {
  const serve = jest.fn(async () => undefined);
  const dataSource = jest.fn((): DataSource => {
    throw new Error('no database in this test');
  });
  const program = serviceProgram('ingest', serve);
  program.addCommand(apiKeyCommand({ businessKeyFor: 'consents', businessScopes: ['consent:write'], producers: true, dataSource }));
  return { program, serve, dataSource };
}

const run = (program: ReturnType<typeof serviceProgram>, ...args: string[]) => runProgram(program, ['node', 'main.js', ...args]);

describe("a service's command tree (commander)", () => {
  let stderr: jest.SpyInstance;
  let stdout: jest.SpyInstance;
  beforeEach(() => {
    process.exitCode = undefined;
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    stdout.mockRestore();
    process.exitCode = undefined;
  });

  it('runs the service without a command, and only then', async () => {
    const { program, serve, dataSource } = ingestTree();
    expect(await run(program)).toBe(0);
    expect(serve).toHaveBeenCalledTimes(1);
    expect(dataSource).not.toHaveBeenCalled();
  });

  it('answers usage errors with exit code 2 and the help, before any database (invalid input on purpose)', async () => {
    const usageErrors = [
      ['api-key'],
      ['api-key', 'issue'],
      ['api-key', 'issue', 'not a business!'],
      ['api-key', 'revoke'],
      ['issue-key', 'acme'],
    ];
    for (const args of usageErrors) {
      const { program, serve, dataSource } = ingestTree();
      expect(await run(program, ...args)).toBe(2);
      expect(serve).not.toHaveBeenCalled();
      expect(dataSource).not.toHaveBeenCalled();
    }
    expect(stderr.mock.calls.join('')).toMatch(/error/);
  });

  it('lists the same api-key commands in every service, issue-producer only where producer keys exist', async () => {
    const { program } = ingestTree();
    expect(await run(program, 'api-key', '--help')).toBe(0);
    expect(stdout.mock.calls.join('')).toMatch(/issue-producer/);
    const scoring = serviceProgram('scoring', async () => undefined);
    scoring.addCommand(apiKeyCommand({ businessKeyFor: 'campaigns', dataSource: jest.fn() }));
    stdout.mockClear();
    expect(await run(scoring, 'api-key', '--help')).toBe(0);
    const help = stdout.mock.calls.join('');
    expect(help).toMatch(/issue/);
    expect(help).toMatch(/revoke/);
    expect(help).not.toMatch(/issue-producer/);
  });

  it('reaches the database for a valid command', async () => {
    const { program, dataSource } = ingestTree();
    await expect(run(program, 'api-key', 'issue', 'acme', 'laptop')).rejects.toThrow('no database in this test');
    expect(dataSource).toHaveBeenCalledTimes(1);
  });
});
