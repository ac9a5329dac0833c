import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { testDatabaseUrl } from '@wt/testing';

/** Helpers of ingest's integration tests, which run the built service as a child process. */
export const ROOT = path.resolve(__dirname, '../../../..');

/**
 * Issues a key as an operator does: `node dist/apps/ingest/src/main.js api-key <action> <subject>`.
 * Asynchronously: a synchronous child would block this process for seconds, long enough for the
 * server to close an idle keep-alive socket that the next fetch would then reuse ("other side closed").
 */
export async function issueKey(action: 'issue' | 'issue-producer' | 'revoke', subject: string): Promise<{ keyId: string; apiKey: string }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(ROOT, 'dist/apps/ingest/src/main.js'), 'api-key', action, subject, ...(action === 'revoke' ? [] : ['integration'])],
    { cwd: ROOT, env: { PATH: process.env['PATH'], DATABASE_URL: testDatabaseUrl('ingest') }, encoding: 'utf8' },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as { keyId: string; apiKey: string };
}
