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
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { cannotLoad, cannotSave } from '../errors.js';
import type { FileData } from './atomic-write.js';
import { describeReadError } from './json-file.js';

/** The manifest file that names the current save of a directory. */
export const SAVE_MANIFEST_FILE = 'encdec-save.json';
const FORMAT = 'encdec-save';
const VERSION = 1;
/** Loads retried because a concurrent save replaced the current one (each retry is ~4 opens). */
const MAX_LOAD_ATTEMPTS = 100;

interface Manifest {
  format: typeof FORMAT;
  version: number;
  /** The folder in `dir` holding the current save. */
  save: string;
  files: Record<string, { bytes: number; sha256: string }>;
}

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
  await removeUnused(dir, Object.keys(files)).catch(() => undefined);
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
    const manifest: Manifest = { format: FORMAT, version: VERSION, save: name, files: {} };
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

/** Who writes a save folder: a short hash of the host name, the process id and the thread id. */
const owner = {
  host: createHash('sha256').update(hostname()).digest('hex').slice(0, 8),
  pid: process.pid,
  thread: threadId,
};
const SAVE_FOLDER = /^save-([0-9a-f]{8})-(\d+)-(\d+)-[0-9a-f]+$/;
/** A file of a save: a plain name, so that a manifest cannot point outside its folder. */
const FILE_NAME = /^(?!\.\.?$)[^/\\]+$/;
/** A temporary file of `writeFileAtomic` (`.name.<pid>.<random>.tmp`): older saves left these. */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;

/** Step 3: removes unused save folders, and the files an older layout kept directly in `dir`. */
async function removeUnused(dir: string, names: string[]): Promise<void> {
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

/** `dir`'s manifest, or undefined when it has none (an empty directory, or the older layout). */
async function readManifest(dir: string): Promise<Manifest | undefined> {
  const path = join(dir, SAVE_MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cannotLoad(path, describeReadError(error), 'Check the directory.');
  }
  let manifest: Partial<Manifest> | null;
  try {
    manifest = JSON.parse(text);
  } catch {
    manifest = null;
  }
  if (
    manifest === null ||
    typeof manifest !== 'object' ||
    manifest.format !== FORMAT ||
    manifest.version !== VERSION ||
    typeof manifest.save !== 'string' ||
    !SAVE_FOLDER.test(manifest.save) ||
    manifest.files === null ||
    typeof manifest.files !== 'object' ||
    !Object.keys(manifest.files).every((name) => FILE_NAME.test(name))
  ) {
    throw cannotLoad(
      path,
      `it is not an ${FORMAT} manifest of version ${VERSION}`,
      'The file is corrupt or was edited: save the model again.',
    );
  }
  return manifest as Manifest;
}

/** Every file `manifest` names, opened first, then read and checked against it. */
async function readChecked(folder: string, manifest: Manifest): Promise<Map<string, Uint8Array>> {
  const names = Object.keys(manifest.files);
  const handles: Awaited<ReturnType<typeof open>>[] = [];
  try {
    for (const name of names) {
      try {
        handles.push(await open(join(folder, name), 'r'));
      } catch (error) {
        throw cannotLoad(
          join(folder, name),
          describeReadError(error),
          `${SAVE_MANIFEST_FILE} names it: save the model again.`,
        );
      }
    }
    const files = new Map<string, Uint8Array>();
    for (const [i, name] of names.entries()) {
      const bytes = new Uint8Array(await handles[i]!.readFile());
      const expected = manifest.files[name]!;
      const differs =
        bytes.byteLength !== expected.bytes
          ? `it holds ${bytes.byteLength} bytes but ${SAVE_MANIFEST_FILE} recorded ${expected.bytes}`
          : sha256(bytes) !== expected.sha256
            ? `its SHA-256 differs from the one ${SAVE_MANIFEST_FILE} recorded`
            : undefined;
      if (differs !== undefined) {
        throw cannotLoad(
          join(folder, name),
          `${differs} when it was saved (the file was edited or damaged since)`,
          'Save the model again.',
        );
      }
      files.set(name, bytes);
    }
    return files;
  } finally {
    await Promise.allSettled(handles.map((handle) => handle.close()));
  }
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

/**
 * Hashes already computed, by buffer: model.json records the hash of weights.bin, and so does the
 * manifest of the same save. Only buffers that are not written to again are hashed here.
 */
const hashes = new WeakMap<Uint8Array, string>();

/** The SHA-256 of `bytes`, in hex. */
export function sha256(bytes: Uint8Array): string {
  let hash = hashes.get(bytes);
  if (hash === undefined) {
    hash = createHash('sha256').update(bytes).digest('hex');
    hashes.set(bytes, hash);
  }
  return hash;
}
