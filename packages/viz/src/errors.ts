/**
 * Every user-facing error message of `@encdec/viz`, in one place (the vega-lite habit). A message
 * names the argument, the value it got and what it expected; tests assert them. `VizError`
 * extends core's `EncdecError`, so one `catch (e instanceof EncdecError)` covers both packages.
 */

import { EncdecError } from '@encdec/core';
import { showValue as show } from '@encdec/core/internal';

/**
 * The error every `@encdec/viz` check throws; `argument` names what was wrong. Its `name` stays
 * `EncdecError` (core fixes it), so messages read the same whichever package threw.
 */
export class VizError extends EncdecError {}

/** `name` got `value`, which is not what it expects (`expected`, in words). */
export function invalidArgument(name: string, value: unknown, expected: string): VizError {
  return new VizError(`${name} must be ${expected}, got ${show(value)}.`, name);
}

/** `name` holds nothing to draw (`what`, in words). */
export function emptyInput(name: string, what: string): VizError {
  return new VizError(`${name} is empty: there are no ${what} to plot.`, name);
}

// --- attention heatmap ---------------------------------------------------------------------------

export function emptyWeights(name: string): VizError {
  return new VizError(
    `${name} is empty: an attention matrix needs at least one row and column.`,
    name,
  );
}

export function raggedWeights(
  name: string,
  row: number,
  length: number,
  expected: number,
): VizError {
  return new VizError(
    `${name} is ragged: row ${row} has ${length} values but row 0 has ${expected}.`,
    name,
  );
}

export function nonFiniteWeight(name: string, row: number, col: number, value: unknown): VizError {
  return new VizError(
    `${name}[${row}][${col}] must be a finite number, got ${show(value)}.`,
    `${name}[${row}][${col}]`,
  );
}

export function tokenCountMismatch(
  name: string,
  count: number,
  expected: number,
  dimension: string,
): VizError {
  return new VizError(
    `${name} has ${count} tokens but the weight matrix has ${expected} ${dimension}.`,
    name,
  );
}

export function raggedHeads(
  head: number,
  shape: readonly [number, number],
  expected: readonly [number, number],
): VizError {
  return new VizError(
    `weights is ragged: head ${head} is ${shape[0]} x ${shape[1]} but head 0 is ${expected[0]} x ${expected[1]}.`,
    'weights',
  );
}

// --- training curves -----------------------------------------------------------------------------

export function unknownMetrics(missing: readonly string[], available: readonly string[]): VizError {
  return new VizError(
    `metrics ${show(missing)} are not in the history; it has ${show(available)}.`,
    'metrics',
  );
}

// --- rendering and files -------------------------------------------------------------------------

export function unsupportedExtension(path: string): VizError {
  return new VizError(
    `path must end in .svg, .png, .html, .vl.json or .vg.json, got ${show(path)}.`,
    'path',
  );
}
