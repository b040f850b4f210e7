/**
 * Keras' `pad_sequences`: ragged integer sequences -> one [numSamples, maxlen] block.
 *
 * Semantics match keras_preprocessing 1.1 (`sequence.py`):
 *   - `maxlen` defaults to the longest sequence;
 *   - a longer sequence loses its start (`truncating: 'pre'`, the default) or its end ('post');
 *   - a shorter one is filled with `value` before (`padding: 'pre'`, the default) or after it;
 *   - an empty sequence becomes a row of `value`;
 *   - values and `value` are cast to `dtype` like numpy's cast: 'int32' (the default, as in Keras)
 *     truncates toward zero (1.7 -> 1, -2.9 -> -2), 'float32' rounds to the nearest float32.
 * The input is never modified.
 *
 * Deliberate differences, where Keras fails with an accidental error rather than by design:
 *   - options are checked before any work, so a bad `padding` fails even when every sequence
 *     is empty (Keras only notices it at the first non-empty sequence);
 *   - `maxlen: 0` gives empty rows whatever `truncating` is (Keras' 'pre' raises a numpy
 *     broadcast error, because `s[-0:]` is the whole sequence);
 *   - no sequences and no `maxlen` give zero rows (Keras raises on the max of an empty list);
 *   - an int32 value outside the int32 range, or NaN/Infinity, is an error (numpy wraps it or
 *     gives an undefined value);
 *   - an output of more than 2**31 - 1 values (numSamples x maxlen) is an error naming maxlen
 *     before anything is allocated: no TF.js tensor holds more (sizes are int32).
 * Only numbers are padded: Keras' `dtype=object` string padding and multi-dimensional samples are
 * out of scope.
 */
import { paddedTooLarge } from '../data-errors.js';
import { invalidArgument } from '../errors.js';

/** Where padding or truncation happens: before the sequence ('pre') or after it ('post'). */
export type PadSide = 'pre' | 'post';

/** Element types of the padded output; both are TF.js tensor dtypes. */
export type PadDtype = 'int32' | 'float32';

/** Options of {@link padSequences}; every default is Keras'. */
export interface PadSequencesOptions {
  /** Length of every output row. Default: the length of the longest sequence. */
  maxlen?: number | null;
  /** Where to add `value` in a short sequence. Default 'pre' (keeps the end next to the model). */
  padding?: PadSide;
  /** Where to cut a long sequence. Default 'pre' (keeps its end, as Keras does). */
  truncating?: PadSide;
  /** The padding value, cast to `dtype`. Default 0, the id Keras reserves for padding. */
  value?: number;
  /** Element type the values are cast to. Default 'int32', Keras' default. */
  dtype?: PadDtype;
}

/** A padded batch as one row-major buffer: what `tf.tensor2d(values, shape, dtype)` takes. */
export interface PaddedSequences<D extends PadDtype = PadDtype> {
  /** Row i is `values.subarray(i * maxlen, (i + 1) * maxlen)` (a view, no copy). */
  readonly values: D extends 'int32' ? Int32Array : Float32Array;
  /** [numSamples, maxlen] */
  readonly shape: [number, number];
  readonly dtype: D;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** Most values a padded output may have (see the differences above). */
const MAX_VALUES = INT32_MAX;

/** Options checked and defaulted, plus the output width. */
interface PadPlan {
  maxlen: number;
  padding: PadSide;
  truncating: PadSide;
  value: number;
  dtype: PadDtype;
}

function isPadSide(x: unknown): x is PadSide {
  return x === 'pre' || x === 'post';
}

/** Validates `sequences` and the options, and works out `maxlen`. */
function plan(sequences: readonly ArrayLike<number>[], options: PadSequencesOptions): PadPlan {
  if (!Array.isArray(sequences)) {
    throw invalidArgument('sequences', sequences, 'an array of number sequences');
  }
  const { padding = 'pre', truncating = 'pre', value = 0, dtype = 'int32' } = options;
  if (!isPadSide(padding)) throw invalidArgument('padding', padding, '"pre" or "post"');
  if (!isPadSide(truncating)) throw invalidArgument('truncating', truncating, '"pre" or "post"');
  if (dtype !== 'int32' && dtype !== 'float32') {
    throw invalidArgument('dtype', dtype, '"int32" or "float32"');
  }
  if (typeof value !== 'number' || (dtype === 'int32' && !inInt32Range(value))) {
    throw invalidArgument('value', value, expectedNumber(dtype));
  }
  let longest = 0;
  for (let i = 0; i < sequences.length; i++) {
    const s = sequences[i];
    if (s === null || typeof s !== 'object' || typeof s.length !== 'number') {
      throw invalidArgument(`sequences[${i}]`, s, 'an array of numbers');
    }
    if (s.length > longest) longest = s.length;
  }
  let { maxlen } = options;
  if (maxlen === undefined || maxlen === null) maxlen = longest;
  else if (!Number.isInteger(maxlen) || maxlen < 0) {
    throw invalidArgument('maxlen', maxlen, 'a non-negative integer');
  }
  if (maxlen > MAX_VALUES || sequences.length * maxlen > MAX_VALUES) {
    throw paddedTooLarge(maxlen, sequences.length, MAX_VALUES);
  }
  return { maxlen, padding, truncating, value: cast(value, dtype), dtype };
}

function inInt32Range(v: number): boolean {
  // NaN fails both comparisons, so this also rejects NaN.
  return v > INT32_MIN - 1 && v < INT32_MAX + 1;
}

function expectedNumber(dtype: PadDtype): string {
  return dtype === 'int32' ? 'a number in the int32 range' : 'a number';
}

/** numpy's cast of a checked number: int32 truncates toward zero (`| 0` gives 0, never -0). */
function cast(v: number, dtype: PadDtype): number {
  return dtype === 'int32' ? v | 0 : Math.fround(v);
}

/** Reads one element, throwing with its position when it cannot be cast to `dtype`. */
function element(sequences: readonly ArrayLike<number>[], i: number, j: number, dtype: PadDtype) {
  const v = sequences[i]![j];
  if (typeof v !== 'number' || (dtype === 'int32' && !inInt32Range(v))) {
    throw invalidArgument(`sequences[${i}][${j}]`, v, expectedNumber(dtype));
  }
  return v;
}

/**
 * Pads (and truncates) `sequences` to one length, Keras' `pad_sequences`, as plain arrays.
 * For building a tensor, {@link padSequencesFlat} is faster and uses less memory.
 *
 * @example padSequences([[1, 2, 3], [4]], { maxlen: 2 }) // [[2, 3], [0, 4]]
 */
export function padSequences(
  sequences: readonly ArrayLike<number>[],
  options: PadSequencesOptions = {},
): number[][] {
  const { maxlen, padding, truncating, value, dtype } = plan(sequences, options);
  const rows: number[][] = new Array(sequences.length);
  for (let i = 0; i < sequences.length; i++) {
    const length = sequences[i]!.length;
    const take = Math.min(length, maxlen);
    const from = truncating === 'pre' ? length - take : 0;
    const to = padding === 'pre' ? maxlen - take : 0;
    const row: number[] = new Array(maxlen).fill(value);
    for (let k = 0; k < take; k++)
      row[to + k] = cast(element(sequences, i, from + k, dtype), dtype);
    rows[i] = row;
  }
  return rows;
}

/**
 * Same result as {@link padSequences}, as one typed buffer plus its shape, ready for
 * `tf.tensor2d(values, shape, dtype)` without another copy. Casting is the typed array's own
 * (Int32Array truncates toward zero, Float32Array rounds), which is numpy's.
 *
 * @example
 * const { values, shape, dtype } = padSequencesFlat(ids, { maxlen: 500 });
 * const x = tf.tensor2d(values, shape, dtype); // [numSamples, maxlen]
 */
export function padSequencesFlat<D extends PadDtype = 'int32'>(
  sequences: readonly ArrayLike<number>[],
  options: PadSequencesOptions & { dtype?: D } = {},
): PaddedSequences<D> {
  const { maxlen, padding, truncating, value, dtype } = plan(sequences, options);
  const size = sequences.length * maxlen;
  const values = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  if (value !== 0) values.fill(value);
  for (let i = 0; i < sequences.length; i++) {
    const length = sequences[i]!.length;
    const take = Math.min(length, maxlen);
    const from = truncating === 'pre' ? length - take : 0;
    const to = i * maxlen + (padding === 'pre' ? maxlen - take : 0);
    for (let k = 0; k < take; k++) values[to + k] = element(sequences, i, from + k, dtype);
  }
  return {
    values: values as PaddedSequences<D>['values'],
    shape: [sequences.length, maxlen],
    dtype: dtype as D,
  };
}
