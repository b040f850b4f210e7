/**
 * Every user-facing error message of `@encdec/core`, in one place (the vega-lite habit): a
 * message names the argument, the value it got and what it expected, and tests assert them.
 * Each area of the package has its own section below.
 */

/** The error every `@encdec/core` check throws; `argument` names what was wrong. */
export class EncdecError extends Error {
  override readonly name = 'EncdecError';
  constructor(
    message: string,
    readonly argument?: string,
  ) {
    super(message);
  }
}

/** Short, readable rendering of a value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined || value === null || typeof value !== 'object') return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `name` got `value`, which is not what it expects (`expected`, in words). */
export function invalidArgument(name: string, value: unknown, expected: string): EncdecError {
  return new EncdecError(`${name} must be ${expected}, got ${show(value)}.`, name);
}

// --- backend --------------------------------------------------------------------------------------

/** A backend name (from the `backend` argument or the `ENCDEC_BACKEND` variable) is unknown. */
export function unknownBackend(name: string, value: unknown): EncdecError {
  return invalidArgument(name, value, 'one of "tensorflow", "wasm" or "cpu"');
}

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

// --- attention ------------------------------------------------------------------------------------

/** A tensor given to attention has the wrong rank or size; `expected` names each dimension. */
export function badAttentionShape(
  name: string,
  shape: readonly (number | null)[],
  expected: string,
): EncdecError {
  return new EncdecError(`${name} must have shape ${expected}, got shape ${show(shape)}.`, name);
}

/** `kind` is not one of the attention kinds (`kinds`, from `ATTENTION_KINDS`). */
export function unknownAttentionKind(value: unknown, kinds: readonly string[]): EncdecError {
  return invalidArgument('kind', value, `one of ${kinds.map((k) => show(k)).join(', ')}`);
}

/** The scoring function of `kind` needs the weight `params.<name>` of shape `expected`. */
export function missingAttentionParam(kind: string, name: string, expected: string): EncdecError {
  return new EncdecError(
    `params.${name} must be a tensor of shape ${expected} for attention kind ${show(kind)}, got undefined.`,
    `params.${name}`,
  );
}

// --- model ----------------------------------------------------------------------------------------

/** `name` is not one of `choices` (a cell kind, an attention kind, an optimizer name). */
export function notOneOf(name: string, value: unknown, choices: readonly string[]): EncdecError {
  return invalidArgument(name, value, `one of ${choices.map((c) => show(c)).join(', ')}`);
}

/** A token id in `name` lies outside [0, vocabSize). */
export function tokenOutOfRange(name: string, id: number, vocabSize: number): EncdecError {
  return new EncdecError(
    `${name} holds token id ${id}, outside the vocabulary [0, ${vocabSize}) (vocabSize ${vocabSize}).`,
    name,
  );
}

/** An options object `name` has keys it does not know (a typo, or a field of another object). */
export function unknownKeys(
  name: string,
  keys: readonly string[],
  allowed: readonly string[],
): EncdecError {
  const list = (ks: readonly string[]) => ks.map((k) => show(k)).join(', ');
  return new EncdecError(
    `${name} has unknown key${keys.length === 1 ? '' : 's'} ${list(keys)}; the allowed keys are ${list(allowed)}.`,
    name,
  );
}

/** An attached vocabulary has more words than the model's vocabSize. */
export function vocabularyMismatch(name: string, words: number, vocabSize: number): EncdecError {
  return new EncdecError(
    `${name} has ${words} words (ids up to ${words - 1}) but the model's vocabSize is ${vocabSize}.`,
    name,
  );
}

/** A saved seq2seq model does not fit the model its config describes. */
export function savedModelMismatch(path: string, reason: string): EncdecError {
  return new EncdecError(
    `Cannot load the seq2seq model in ${path}: ${reason}. Save the model again with seq2seq.save(dir).`,
    'path',
  );
}

// --- train ----------------------------------------------------------------------------------------

/** Two arrays that pair row by row (inputs and targets) have different row counts. */
export function rowCountMismatch(name: string, rows: number, expected: number): EncdecError {
  return new EncdecError(
    `${name} has ${rows} rows but the inputs have ${expected}; each input row needs one target row.`,
    name,
  );
}

/** A training-log key that a callback monitors never appeared in the logs. */
export function unknownMonitor(name: string, value: string, available: string[]): EncdecError {
  return new EncdecError(
    `${name} ${show(value)} is not in the training logs; available: ${available.map((k) => show(k)).join(', ')}.`,
    name,
  );
}

/** `validationSplit` leaves no row to hold out, or none to train on, under Keras' rule. */
export function validationSplitTooSmall(
  split: number,
  rows: number,
  trainRows: number,
): EncdecError {
  return new EncdecError(
    `validationSplit ${split} cannot split ${rows} rows: as in Keras, the first floor(${rows} * (1 - ${split})) = ${trainRows} train and the other ${rows - trainRows} validate, and each part needs at least one row. Use more rows, another validationSplit, or validationData.`,
    'validationSplit',
  );
}

/** The warning `fit` prints when `terminateOnNaN` stops training (epoch and batch 0-based in). */
export function nonFiniteLossWarning(
  loss: number,
  epoch: number,
  batch: number,
  batches: number,
): string {
  return `fit: the loss of epoch ${epoch + 1}, batch ${batch + 1}/${batches} is ${loss}; training stopped there (terminateOnNaN), that epoch is not recorded and no checkpoint saves its weights. Lower the learning rate or set clipNorm.`;
}

// --- io -------------------------------------------------------------------------------------------

/** Reading `path` failed: `problem` says what is wrong with it, `remedy` what to do. */
export function cannotLoad(path: string, problem: string, remedy: string): EncdecError {
  return new EncdecError(`Cannot load ${path}: ${problem}. ${remedy}`, 'path');
}

/** Writing `path` failed; whatever was there before is left as it was. */
export function cannotSave(path: string, problem: string): EncdecError {
  return new EncdecError(
    `Cannot save ${path}: ${problem}. The previous file (if any) is left unchanged.`,
    'path',
  );
}

// --- search ---------------------------------------------------------------------------------------

/** A step function returned something search cannot use; `what` names the field, e.g. `logProbs`. */
export function invalidStepOutput(what: string, got: unknown, expected: string): EncdecError {
  return new EncdecError(`step() must return ${what} ${expected}, got ${show(got)}.`, 'step');
}

/** A state tensor whose axis 0 is not one row per hypothesis (search gathers state along axis 0). */
export function stateRowsMismatch(
  name: string,
  path: string,
  shape: readonly number[],
  rows: number,
): EncdecError {
  return new EncdecError(
    `${name}${path} must have one row per hypothesis on axis 0 (${rows} rows), got shape ${show(shape)}.`,
    name,
  );
}

// --- decode pool ---------------------------------------------------------------------------------

/** A `DecodePool` was used after `close()` (`method`), or closed while it decoded (no method). */
export function poolClosed(method?: string): EncdecError {
  const what =
    method === undefined
      ? 'The DecodePool was closed while it decoded'
      : `DecodePool.${method}() was called after close()`;
  return new EncdecError(`${what}; create a new pool with createDecodePool().`, 'pool');
}

/** A `DecodePool` was created for, or used with, a Seq2Seq whose `dispose()` was called. */
export function poolModelDisposed(method: string): EncdecError {
  return new EncdecError(
    `${method}: the pool's Seq2Seq model was disposed, and a pool decodes with its weights. Close the pool before disposing the model, and create pools for models in use.`,
    'seq2seq',
  );
}

/** A decode worker thread could not start, or stopped; `reason` says why. */
export function decodeWorkerFailed(reason: string): EncdecError {
  return new EncdecError(
    `A DecodePool worker thread failed: ${reason}. Close the pool and create a new one.`,
    'workers',
  );
}

// --- metrics --------------------------------------------------------------------------------------

/** Two parallel inputs of a metric (e.g. `predictions` and `targets`) differ in length. */
export function lengthMismatch(
  name: string,
  length: number,
  otherName: string,
  otherLength: number,
): EncdecError {
  return new EncdecError(
    `${name} must have as many entries as ${otherName} (${otherLength}), got ${length}.`,
    name,
  );
}
