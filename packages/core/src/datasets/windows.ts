/**
 * Windows of token sequences: short, fixed- or mixed-length stretches cut from long ones (reviews),
 * the rows of a read-back task. Taking several consecutive windows of every sequence uses more of
 * a corpus than one window per sequence; drawing each window's length from [min, max] gives the
 * mixed lengths a model must be trained on before its accuracy can be compared by length (Cho et
 * al. 2014, "On the Properties of Neural Machine Translation", section 4).
 */
import seedrandom from 'seedrandom';
import { checkInteger, positiveInt } from '../checks.js';
import { invalidArgument } from '../errors.js';

/** Options of `sequenceWindows`. */
export interface SequenceWindowsOptions {
  /**
   * Ids per window: a number, or [min, max] to draw each window's length uniformly from min..max
   * (both included).
   */
  length: number | readonly [min: number, max: number];
  /**
   * Windows cut from each sequence, consecutive and non-overlapping from `offset` on; a sequence
   * too short for the next window gives no more. Default 1.
   */
  perSequence?: number;
  /** Ids skipped at the start of every sequence (1 skips IMDB's start id). Default 0. */
  offset?: number;
  /** Stop once this many windows are cut. Default: no limit. */
  limit?: number;
  /** Seed of the drawn lengths (mixed lengths only). Default 0, so the windows are reproducible. */
  seed?: number;
}

/**
 * Cuts windows from `sequences` in order: sequence 0's windows, then sequence 1's, and so on. Each
 * window is a copy (an Int32Array). With mixed lengths a length is drawn for every window tried,
 * so the lengths do not depend on which sequences are too short.
 */
export function sequenceWindows(
  sequences: readonly ArrayLike<number>[],
  options: SequenceWindowsOptions,
): Int32Array[] {
  if (!Array.isArray(sequences)) {
    throw invalidArgument('sequences', sequences, 'an array of id sequences');
  }
  const [min, max] = windowLengths(options?.length);
  const perSequence = positiveInt('perSequence', options.perSequence ?? 1);
  const offset = checkInteger('offset', options.offset ?? 0, 0);
  const limit =
    options.limit === undefined
      ? Number.POSITIVE_INFINITY
      : checkInteger('limit', options.limit, 0);
  const random = seedrandom(String(checkInteger('seed', options.seed ?? 0, 0)));
  const windows: Int32Array[] = [];
  for (const ids of sequences) {
    let at = offset;
    for (let k = 0; k < perSequence && windows.length < limit; k++) {
      const length = min + Math.floor(random() * (max - min + 1));
      if (at + length > ids.length) break;
      windows.push(Int32Array.from({ length }, (_, i) => ids[at + i]!));
      at += length;
    }
    if (windows.length >= limit) break;
  }
  return windows;
}

/** The checked [min, max] of `length`. */
function windowLengths(length: unknown): [number, number] {
  if (typeof length === 'number') {
    positiveInt('length', length);
    return [length, length];
  }
  const pair = Array.isArray(length) && length.length === 2;
  if (!pair || !length.every((n) => Number.isInteger(n) && n > 0) || length[0] > length[1]) {
    throw invalidArgument(
      'length',
      length,
      'a positive integer or [min, max] with 1 <= min <= max',
    );
  }
  return [length[0], length[1]];
}
