// Where the local stack keeps downloads and state: outside the repository, shared by every
// checkout (worktree) on the machine. Override with WT_CACHE_DIR.
import os from 'node:os';
import path from 'node:path';

/** `${WT_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/wa-targeting}` */
export function stackCacheRoot(env = process.env) {
  if (env.WT_CACHE_DIR) return path.resolve(env.WT_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'wa-targeting');
}
