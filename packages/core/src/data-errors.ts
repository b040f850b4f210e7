/**
 * The user-facing error messages of the data path: preprocessing (the tokenizer, padSequences)
 * and the datasets (missing, corrupt or damaged files, checksums, downloads, the IMDB loader).
 * The error class and the messages of every other area are in errors.ts, beside this file; the
 * same rules hold: a message names the argument, the value it got and what it expected.
 */
import { EncdecError, show } from './errors.js';

// --- preprocess -----------------------------------------------------------------------------------

/** `Tokenizer.<method>` needs the word index (for the OOV id) that `fitOnTexts` builds. */
export function tokenizerNotFitted(method: string): EncdecError {
  return new EncdecError(
    `Tokenizer.${method}: oovToken is set but has no index yet; call fitOnTexts (or load with Tokenizer.fromJSON) first.`,
    'oovToken',
  );
}

/** A tokenizer JSON whose `field` is not laid out the way Keras' `tokenizer.to_json()` writes it. */
export function invalidTokenizerJson(field: string, value: unknown, expected: string): EncdecError {
  return new EncdecError(
    `Tokenizer JSON: ${field} must be ${expected}, got ${show(value)}.`,
    field,
  );
}

/** `padSequences` would give more than `limit` values (numSamples x maxlen). */
export function paddedTooLarge(maxlen: number, samples: number, limit: number): EncdecError {
  return new EncdecError(
    `maxlen must keep numSamples x maxlen within ${limit} values (the most a TF.js tensor holds), got maxlen ${maxlen} for ${samples} sequence${samples === 1 ? '' : 's'}. Pad shorter sequences, or fewer at a time.`,
    'maxlen',
  );
}

// --- datasets -------------------------------------------------------------------------------------

/** Where to get the IMDB files by hand when a loader cannot find or read them. */
const imdbRemedy =
  'Pass `path` (or set ENCDEC_DATA_DIR) to a directory holding aclImdb_v1.tar.gz (or an extracted aclImdb/) and imdb_word_index.json, or leave both unset to download them into the cache.';

/** A file (or directory) a dataset loader needs is not there. */
export function datasetFileMissing(file: string, remedy: string = imdbRemedy): EncdecError {
  return new EncdecError(`Dataset file not found: ${file}. ${remedy}`, 'path');
}

/** A dataset file is there but cannot be read as what it should be. */
export function datasetFileCorrupt(
  file: string,
  problem: string,
  remedy = 'Delete it and load again to download a fresh copy, or replace it with a good copy.',
): EncdecError {
  return new EncdecError(
    `Dataset file ${file} is corrupt or truncated (${problem}). ${remedy}`,
    'path',
  );
}

/** A downloaded (or cached) file does not have the checksum it should have. */
export function checksumMismatch(
  file: string,
  algorithm: string,
  expected: string,
  actual: string,
  url: string,
): EncdecError {
  return new EncdecError(
    `Checksum mismatch for ${file} from ${url}: ${algorithm} is ${actual}, expected ${expected}. The file was deleted; load again to download it afresh, or check that the url serves the expected file.`,
    'checksum',
  );
}

/**
 * What to do about a damaged file in a local directory (`path` or ENCDEC_DATA_DIR), where nothing
 * is downloaded: replace it with the upstream file, whose checksum this names.
 */
export function localFileRemedy(url: string, algorithm: string, expected: string): string {
  return `It is a local file (\`path\` or ENCDEC_DATA_DIR), so nothing downloads a fresh copy: replace it with a good copy of ${url} (${algorithm} ${expected}).`;
}

/** A local dataset file whose content is not the published file's (Keras checks the same hash). */
export function localChecksumMismatch(
  file: string,
  algorithm: string,
  expected: string,
  actual: string,
  url: string,
): EncdecError {
  return new EncdecError(
    `Checksum mismatch for the local file ${file}: ${algorithm} is ${actual}, expected ${expected}, the checksum of ${url}. It is not the published file (edited, damaged or another version) and would give wrong word ids. Replace it with a copy of ${url}, or pass verifyChecksums: false to use a file of your own.`,
    'path',
  );
}

/**
 * A cached download failed its checksum and was deleted, and downloading it again failed too
 * (offline, for one): the message names both, the checksum first.
 */
export function cachedCopyUnusable(
  file: string,
  algorithm: string,
  expected: string,
  actual: string,
  download: EncdecError,
): EncdecError {
  return new EncdecError(
    `The cached copy ${file} failed its checksum (${algorithm} ${actual}, expected ${expected}: damaged or outdated) and was deleted, and no fresh copy could be downloaded. ${download.message}`,
    'checksum',
  );
}

/** Every attempt to download `url` failed. */
export function downloadFailed(url: string, attempts: number, reason: string): EncdecError {
  return new EncdecError(
    `Download of ${url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}. Check the network, or download the file by hand into a directory and pass \`path\` (or set ENCDEC_DATA_DIR).`,
    'url',
  );
}

/** The warning when the indexed-corpus cache at `file` is damaged and is rebuilt. */
export function damagedCorpusCache(file: string): string {
  return `encdec: the indexed IMDB corpus cache ${file} is damaged (truncated, or its content fails its md5); rebuilding it from the dataset files.`;
}

/** `maxlen` dropped every review of a split (Keras raises the same). */
export function noReviewKept(maxlen: number, split: string): EncdecError {
  return new EncdecError(
    `maxlen must keep at least one review, got ${maxlen}: no ${split} review has fewer than ${maxlen} ids (start char included, as in Keras). Increase maxlen.`,
    'maxlen',
  );
}
