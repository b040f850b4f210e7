/**
 * Scores by source length: the rows are grouped into buckets of lengths (5-9, 10-14, ...) and each
 * bucket gets its own token accuracy, exact match and corpus BLEU. This is how a fixed-vector
 * encoder-decoder is seen to fail on long sentences and an attention model not to (Cho et al.
 * 2014, "On the Properties of Neural Machine Translation", figure 1; Bahdanau et al. 2015,
 * figure 2).
 */
import { positiveInt } from '../checks.js';
import { invalidArgument, lengthMismatch } from '../errors.js';
import { exactMatch, tokenAccuracy } from './accuracy.js';
import { corpusBleu } from './bleu.js';

/** Options of `scoresByLength`. */
export interface ScoresByLengthOptions {
  /** Lengths per bucket: bucket k holds lengths [from + k * bucketSize, from + (k+1) * bucketSize). Default 5. */
  bucketSize?: number;
  /**
   * Length of each row (of its source, say). Default: each target's length without `padId`s
   * (the source's length when the target is the source read back).
   */
  lengths?: readonly number[];
  /** The padding token of targets, ignored as the accuracy metrics ignore it. Default 0. */
  padId?: number;
}

/** The scores of one bucket of lengths. */
export interface LengthBucketScores {
  /** Shortest length of the bucket. */
  fromLength: number;
  /** Longest length of the bucket (included). */
  toLength: number;
  /** Rows in the bucket. */
  count: number;
  /** `tokenAccuracy` over the bucket's rows. */
  tokenAccuracy: number;
  /** `exactMatch` over the bucket's rows. */
  exactMatch: number;
  /** `corpusBleu` (BLEU-4, unsmoothed) over the bucket's rows, each with its one target. */
  bleu: number;
}

/**
 * Groups the rows by length into buckets of `bucketSize` lengths, starting at the shortest length
 * rounded down to a multiple of `bucketSize`, and scores each non-empty bucket; buckets are in
 * order of length.
 */
export function scoresByLength(
  predictions: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
  options: ScoresByLengthOptions = {},
): LengthBucketScores[] {
  const bucketSize = positiveInt('bucketSize', options.bucketSize ?? 5);
  const padId = options.padId ?? 0;
  if (!Array.isArray(targets)) {
    throw invalidArgument('targets', targets, 'an array of token-id arrays');
  }
  if (!Array.isArray(predictions) || predictions.length !== targets.length) {
    if (!Array.isArray(predictions)) {
      throw invalidArgument('predictions', predictions, 'an array of token-id arrays');
    }
    throw lengthMismatch('predictions', predictions.length, 'targets', targets.length);
  }
  const lengths =
    options.lengths ?? targets.map((t) => t.filter((id: number) => id !== padId).length);
  if (!Array.isArray(lengths) || lengths.length !== targets.length) {
    if (!Array.isArray(lengths)) throw invalidArgument('lengths', lengths, 'an array of lengths');
    throw lengthMismatch('lengths', lengths.length, 'targets', targets.length);
  }
  lengths.forEach((n, i) => {
    if (!(Number.isInteger(n) && n >= 0)) {
      throw invalidArgument(`lengths[${i}]`, n, 'a non-negative integer');
    }
  });
  const rowsOf = new Map<number, number[]>(); // bucket start -> row indices
  lengths.forEach((n, i) => {
    const from = n - (n % bucketSize);
    rowsOf.set(from, [...(rowsOf.get(from) ?? []), i]);
  });
  const strip = (row: readonly number[]) => row.filter((id) => id !== padId);
  return [...rowsOf.keys()]
    .sort((a, b) => a - b)
    .map((from) => {
      const rows = rowsOf.get(from)!;
      const p = rows.map((i) => predictions[i]!);
      const t = rows.map((i) => targets[i]!);
      return {
        fromLength: from,
        toLength: from + bucketSize - 1,
        count: rows.length,
        tokenAccuracy: tokenAccuracy(p, t, { padId }),
        exactMatch: exactMatch(p, t, { padId }),
        bleu: corpusBleu(
          p.map(strip),
          t.map((row) => [strip(row)]),
        ).bleu,
      };
    });
}
