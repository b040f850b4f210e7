/**
 * Token accuracy and exact match of predicted sequences against target sequences, both as plain
 * arrays of token ids, ignoring padding. Predictions may be ragged (e.g. search results).
 */
import { invalidArgument, lengthMismatch } from '../errors.js';

/** Options of the accuracy metrics. */
export interface AccuracyOptions {
  /** The padding token, ignored wherever it appears in a target. Default 0 (as `padSequences`). */
  padId?: number;
}

function checkInputs(predictions: unknown, targets: unknown, options: AccuracyOptions): number {
  if (!Array.isArray(predictions)) {
    throw invalidArgument('predictions', predictions, 'an array of token-id arrays');
  }
  if (!Array.isArray(targets)) {
    throw invalidArgument('targets', targets, 'an array of token-id arrays');
  }
  if (predictions.length !== targets.length) {
    throw lengthMismatch('predictions', predictions.length, 'targets', targets.length);
  }
  // Each row is an array too: a flat array of ids would otherwise compare numbers with rows.
  for (const [name, rows] of [
    ['predictions', predictions],
    ['targets', targets],
  ] as const) {
    rows.forEach((row: unknown, i: number) => {
      if (!Array.isArray(row)) throw invalidArgument(`${name}[${i}]`, row, 'an array of token ids');
    });
  }
  const padId = options.padId ?? 0;
  if (!Number.isInteger(padId)) throw invalidArgument('padId', padId, 'an integer');
  return padId;
}

/**
 * The fraction of non-padding target positions where the prediction has the same token:
 * position j of row i counts when `targets[i][j] !== padId`, and is right when
 * `predictions[i][j] === targets[i][j]` (a missing prediction is wrong). NaN when every target
 * token is padding.
 */
export function tokenAccuracy(
  predictions: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
  options: AccuracyOptions = {},
): number {
  const padId = checkInputs(predictions, targets, options);
  let right = 0;
  let counted = 0;
  targets.forEach((target, i) => {
    target.forEach((token, j) => {
      if (token === padId) return;
      counted += 1;
      if (predictions[i]![j] === token) right += 1;
    });
  });
  return right / counted;
}

/**
 * The fraction of rows whose prediction equals the target once every `padId` is removed from
 * both (so pre- and post-padding do not matter). NaN for no rows.
 */
export function exactMatch(
  predictions: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
  options: AccuracyOptions = {},
): number {
  const padId = checkInputs(predictions, targets, options);
  const strip = (tokens: readonly number[]) => tokens.filter((token) => token !== padId);
  let same = 0;
  targets.forEach((target, i) => {
    const want = strip(target);
    const got = strip(predictions[i]!);
    if (got.length === want.length && got.every((token, j) => token === want[j])) same += 1;
  });
  return same / targets.length;
}
