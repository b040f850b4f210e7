/**
 * A directory that holds one whole save at a time, even while several processes save into it
 * and read from it, and after a saver was killed at any instant:
 *
 *   dir/
 *     encdec-save.json      the manifest: which save is current, and each file's size and SHA-256
 *     save-<owner>-<id>/    one save's files (model.json, weights.bin, ...), never changed again
 *
 * Saving, step by step:
 *   1. Write every file into a fresh save folder, each flushed to disk.
 *   2. Write the new manifest inside that folder, flushed, then rename it over dir's manifest.
 *      That rename is the commit: POSIX rename(2) is atomic, so the manifest names either the old
 *      save or the new one. A folder cannot be renamed over a non-empty one; a file can.
 *   3. Remove the save folders nothing uses any more: superseded saves and those of killed savers.
 *      A folder is removed only when its owner (host, process, thread: in its name) can no longer
 *      publish it: the owner is this thread itself (its saves to one directory run one at a time),
 *      or a process of this host that has exited. Another live saver's folder is left alone.
 *      (So processes that share a directory must see each other's process ids: one host, or
 *      hosts whose names differ, since a folder of another host is never removed.)
 * Loading reads the manifest, opens every file it names, then reads and checks them. If a file
 * is gone because a newer save replaced the folder meanwhile, the manifest has changed: load
 * again from the new one. An open file stays readable after it is removed (POSIX), so a load
 * never mixes two saves. A SHA-256 that differs means a file was edited after saving.
 *
 * A directory written before manifests existed (the files directly in `dir`) still loads.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cannotLoad, cannotSave } from '../errors.js';
import type { FileData } from './atomic-write.js';
import { describeReadError } from './json-file.js';
import { removeUnused } from './save-cleanup.js';
import {
  type Manifest,
  newManifest,
  owner,
  readChecked,
  readManifest,
  SAVE_MANIFEST_FILE,
  sha256,
} from './save-format.js';

/** Loads retried because a concurrent save replaced the current one (each retry is ~4 opens). */
const MAX_LOAD_ATTEMPTS = 100;

/** One save read back: file name -> bytes, all from the same save, and the folder they came from. */
export interface SavedFiles {
  folder: string;
  files: Map<string, Uint8Array>;
  /** Whether each file was checked against the SHA-256 of a manifest (false: the older layout). */
  checked: boolean;
}

// --- saving -----------------------------------------------------------------------------------

/** This thread's saves, one at a time per directory (step 3 relies on it). */
const queues = new Map<string, Promise<unknown>>();
/**
 * The save folders this thread is writing now (their names are unique): a cleanup never removes
 * them, also when two spellings of one directory (a symlink) give two queues.
 */
const writing = new Set<string>();

/** Saves `files` (name -> contents) into `dir` as one whole save that replaces the current one. */
export function writeSave(dir: string, files: Record<string, FileData>): Promise<void> {
  const previous = queues.get(dir) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => saveNow(dir, files));
  queues.set(dir, next);
  const forget = () => {
    if (queues.get(dir) === next) queues.delete(dir);
  };
  next.then(forget, forget);
  return next;
}

async function saveNow(dir: string, files: Record<string, FileData>): Promise<void> {
  const name = `save-${owner.host}-${owner.pid}-${owner.thread}-${randomBytes(6).toString('hex')}`;
  const folder = join(dir, name);
  writing.add(name);
  try {
    await commit(dir, folder, name, files);
  } finally {
    writing.delete(name);
  }
  // 3. Cleaning up never fails a save that has been committed.
  await removeUnused(dir, Object.keys(files), writing).catch(() => undefined);
}

/** Steps 1 and 2: the files into `folder`, then the manifest naming it into `dir`. */
async function commit(
  dir: string,
  folder: string,
  name: string,
  files: Record<string, FileData>,
): Promise<void> {
  const manifestPath = join(dir, SAVE_MANIFEST_FILE);
  try {
    await mkdir(dir, { recursive: true });
    await mkdir(folder);
  } catch (error) {
    throw cannotSave(folder, describeReadError(error));
  }
  try {
    // 1. The files.
    const manifest: Manifest = newManifest(name);
    for (const [file, data] of Object.entries(files)) {
      const bytes = toBytes(data);
      await writeSynced(join(folder, file), bytes);
      manifest.files[file] = { bytes: bytes.byteLength, sha256: sha256(bytes) };
    }
    // 2. The commit.
    const staged = join(folder, `.${SAVE_MANIFEST_FILE}`);
    await writeSynced(staged, toBytes(`${JSON.stringify(manifest, null, 2)}\n`));
    await syncDir(folder);
    await rename(staged, manifestPath);
    await syncDir(dir);
  } catch (error) {
    await rm(folder, { recursive: true, force: true }).catch(() => undefined);
    throw cannotSave(manifestPath, describeReadError(error));
  }
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const file = await open(path, 'wx');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Flushes a directory's entries (a rename in it) to disk; not every platform can. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a directory to flush it; the rename is as durable as its file system makes it.
  }
}
// --- loading ----------------------------------------------------------------------------------

/**
 * Reads the current save of `dir`; see the file comment. `names`: the files the caller loads, all
 * that a directory of the older layout (no manifest) is read for, since it may hold anything.
 */
export async function readSave(dir: string, names: readonly string[]): Promise<SavedFiles> {
  for (let attempt = 1; ; attempt++) {
    const manifest = await readManifest(dir);
    if (manifest === undefined) return readOlderLayout(dir, names);
    const folder = join(dir, manifest.save);
    try {
      return { folder, files: await readChecked(folder, manifest), checked: true };
    } catch (error) {
      const now = await readManifest(dir).catch(() => undefined);
      const replaced = now?.save !== manifest.save;
      if (!replaced || attempt === MAX_LOAD_ATTEMPTS) throw error;
    }
  }
}

/**
 * The folder holding the current save of `dir`, to look at its files (`dir` itself for a
 * directory saved before manifests existed). A later save may replace it at any time.
 */
export async function currentSave(dir: string): Promise<string> {
  const root = resolve(dir.replace(/^file:\/\//, ''));
  const manifest = await readManifest(root);
  return manifest === undefined ? root : join(root, manifest.save);
}

/**
 * A directory saved before manifests existed: its files, read one by one, unchecked (there is no
 * manifest to check them against). A missing directory has no files.
 */
async function readOlderLayout(dir: string, names: readonly string[]): Promise<SavedFiles> {
  let entries: string[] = [];
  try {
    entries = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && names.includes(entry.name))
      .map((entry) => entry.name);
  } catch (error) {
    // A missing directory reads as empty: the caller names the file it needed.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw cannotLoad(dir, describeReadError(error), 'Check the directory.');
    }
  }
  const files = new Map<string, Uint8Array>();
  for (const name of entries) {
    try {
      files.set(name, new Uint8Array(await readFile(join(dir, name))));
    } catch (error) {
      throw cannotLoad(join(dir, name), describeReadError(error), 'Check the directory.');
    }
  }
  return { folder: dir, files, checked: false };
}

function toBytes(data: FileData): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
