/**
 * The format of a save directory (save-dir.ts writes and reads it): the manifest
 * (encdec-save.json: which save folder is current, and each file's size and SHA-256), the names of
 * save folders (which say who wrote them), and reading a save's files checked against its manifest.
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { cannotLoad } from '../errors.js';
import { describeReadError } from './json-file.js';

/** The manifest file that names the current save of a directory. */
export const SAVE_MANIFEST_FILE = 'encdec-save.json';
const FORMAT = 'encdec-save';
const VERSION = 1;

export interface Manifest {
  format: typeof FORMAT;
  version: number;
  /** The folder in `dir` holding the current save. */
  save: string;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** A manifest naming the save folder `save`, with no files yet. */
export function newManifest(save: string): Manifest {
  return { format: FORMAT, version: VERSION, save, files: {} };
}

/** Who writes a save folder: a short hash of the host name, the process id and the thread id. */
export const owner = {
  host: createHash('sha256').update(hostname()).digest('hex').slice(0, 8),
  pid: process.pid,
  thread: threadId,
};
/** A save folder: save-<host>-<pid>-<thread>-<random>, the first three `owner`'s. */
export const SAVE_FOLDER = /^save-([0-9a-f]{8})-(\d+)-(\d+)-[0-9a-f]+$/;
/** A file of a save: a plain name, so that a manifest cannot point outside its folder. */
const FILE_NAME = /^(?!\.\.?$)[^/\\]+$/;

/** `dir`'s manifest, or undefined when it has none (an empty directory, or the older layout). */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
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
export async function readChecked(
  folder: string,
  manifest: Manifest,
): Promise<Map<string, Uint8Array>> {
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
