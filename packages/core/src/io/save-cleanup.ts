/**
 * Step 3 of a save (save-dir.ts): removing the save folders nothing uses any more, superseded saves
 * and those of killed savers, and the files an older layout kept directly in the directory. A
 * folder is removed only when its owner (in its name, save-format.ts) can no longer publish it.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { owner, readManifest, SAVE_FOLDER } from './save-format.js';

/** A temporary file of `writeFileAtomic` (`.name.<pid>.<random>.tmp`): older saves left these. */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Step 3: removes unused save folders, and the files an older layout kept directly in `dir`
 * (`names`). `writing`: the save folders this thread is writing now, never removed.
 */
export async function removeUnused(
  dir: string,
  names: string[],
  writing: ReadonlySet<string>,
): Promise<void> {
  const current = (await readManifest(dir))?.save;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const folder = SAVE_FOLDER.exec(entry.name);
    if (entry.isDirectory() && folder !== null && entry.name !== current) {
      const [, host, pid, thread] = folder;
      const own = Number(pid) === owner.pid && Number(thread) === owner.thread;
      if (host !== owner.host || writing.has(entry.name) || !(own || !isAlive(Number(pid)))) {
        continue;
      }
      // Its writer is done (this thread's saves in progress are in `writing`) or dead, so it can
      // no longer commit; but it may have committed since `current` was read: read again.
      if ((await readManifest(dir))?.save === entry.name) continue;
      await rm(path, { recursive: true, force: true });
    } else if (entry.isFile() && (names.includes(entry.name) || isOrphanTemp(entry.name))) {
      await rm(path, { force: true });
    }
  }
}

function isOrphanTemp(name: string): boolean {
  const match = TEMP_FILE.exec(name);
  return match !== null && !isAlive(Number(match[1]));
}

/** Whether process `pid` of this host exists (a signal 0 checks without sending anything). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
