/**
 * Where datasets live on disk: the cache directory and the local data directory.
 *
 * Both are read from the environment when a loader runs, and a relative value is resolved then,
 * against the process's working directory. Notebook kernels run in notebooks/, so the project's
 * scripts (`npm start`, `npm run notebooks`) make relative values absolute, against the directory
 * the command was started from, before they start a kernel.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The cache directory: `ENCDEC_CACHE_DIR`, else `$XDG_CACHE_HOME/encdec`, else `~/.cache/encdec`. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.ENCDEC_CACHE_DIR;
  if (fromEnv) return resolve(fromEnv);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'encdec');
}

/** The local data directory from `ENCDEC_DATA_DIR`, or undefined when it is not set. */
export function dataDirFromEnv(): string | undefined {
  const fromEnv = process.env.ENCDEC_DATA_DIR;
  return fromEnv ? resolve(fromEnv) : undefined;
}
