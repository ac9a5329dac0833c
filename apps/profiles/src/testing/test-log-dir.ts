import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where integration tests write the logs of the services they run as child processes, one
 * directory per stack slot; the log scan reads every file here for clear phone numbers.
 */
export function testLogDir(): string {
  const dir = path.join(os.tmpdir(), 'wt-test-logs', `slot-${process.env['WT_STACK_SLOT'] ?? '0'}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
