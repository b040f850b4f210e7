/**
 * JSON files (a config, a vocabulary, a training history), each written atomically. A seq2seq
 * save keeps its own such sidecar inside the save (see save/save-seq2seq.ts) rather than in `model.json`'s
 * `userDefinedMetadata`: a vocabulary can be megabytes (TF.js warns about metadata over 1 MB),
 * and a sidecar can be read without TF.js. These helpers also parse and name the files' errors
 * for the loaders.
 */
import { readFile } from 'node:fs/promises';
import { cannotLoad, invalidArgument } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

/** Writes `value` as pretty-printed JSON to `path`, atomically. */
export async function saveJson(path: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw invalidArgument('value', value, 'a JSON-serialisable value');
  await writeFileAtomic(path, `${text}\n`);
}

/** Reads the JSON file at `path`; a missing or corrupt file throws an error naming it. */
export async function loadJson<T = unknown>(path: string): Promise<T> {
  return parseJsonFile<T>(path, await readTextFile(path, 'Check the path, or save it first.'));
}

/** The text of `path`; a missing file throws an error naming it, with `remedy`. */
export async function readTextFile(path: string, remedy: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw cannotLoad(path, describeReadError(error), remedy);
  }
}

/** `text` parsed as JSON; invalid JSON throws an error naming `path`. */
export function parseJsonFile<T>(path: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw cannotLoad(
      path,
      `it is not valid JSON (${reason})`,
      'The file is corrupt or truncated: write it again.',
    );
  }
}

/** "the file does not exist" for ENOENT, else the system's message. */
export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'the file does not exist';
  if (code === 'EISDIR') return 'it is a directory, not a file';
  return error instanceof Error ? error.message : String(error);
}
