/**
 * Atomic file writes: the data goes to a temporary file in the same directory, is flushed to disk,
 * then renamed over the target. A rename within one file system is atomic (POSIX rename(2)), so a
 * reader sees either the old file or the new one, never a half-written file, and a failed or
 * interrupted write leaves the old file as it was.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cannotSave } from '../errors.js';

export type FileData = string | Uint8Array | ArrayBuffer;

/** Writes `data` to `path` atomically; the directory must exist. */
export async function writeFileAtomic(path: string, data: FileData): Promise<void> {
  const temp = await writeTemp(path, data);
  try {
    await rename(temp, path);
  } catch (error) {
    await removeQuietly(temp);
    throw cannotSave(path, messageOf(error));
  }
}

/** The synchronous twin of `writeFileAtomic`, for code that cannot await. */
export function writeFileAtomicSync(path: string, data: FileData): void {
  const temp = tempPathFor(path);
  try {
    const fd = fs.openSync(temp, 'wx');
    try {
      fs.writeFileSync(fd, toBytes(data));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, path);
  } catch (error) {
    try {
      fs.unlinkSync(temp);
    } catch {
      // Already gone (or never created).
    }
    throw cannotSave(path, messageOf(error));
  }
}

/**
 * First half of an atomic write, for callers that commit several files together: writes `data`
 * to a fresh temporary file beside `path`, flushed to disk, and returns its path. The caller
 * renames it to `path` (or removes it).
 */
export async function writeTemp(path: string, data: FileData): Promise<string> {
  const temp = tempPathFor(path);
  try {
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(toBytes(data));
      await file.sync();
    } finally {
      await file.close();
    }
    return temp;
  } catch (error) {
    await removeQuietly(temp);
    throw cannotSave(path, messageOf(error));
  }
}

/** Deletes `path` if it exists; for cleaning up temporary files. */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // Already gone (or never created).
  }
}

/** A hidden name beside `path` that no other writer picks: `.name.<pid>.<random>.tmp`. */
/** A fresh temp file name next to `path`, unique per process and call (safe for parallel writers). */
export function tempPathFor(path: string): string {
  const unique = `${process.pid}.${randomBytes(6).toString('hex')}`;
  return join(dirname(path), `.${basename(path)}.${unique}.tmp`);
}

function toBytes(data: FileData): string | Uint8Array {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
