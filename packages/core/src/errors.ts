/**
 * Every user-facing error message of `@encdec/core`, in one place (the vega-lite habit): a
 * message names the argument, the value it got and what it expected, and tests assert them.
 * Each area of the package has its own section below, but for the data path (preprocessing and
 * datasets), whose messages are in data-errors.ts beside this file.
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
