/**
 * BLEU (Papineni et al. 2002), corpus level and sentence level, over token arrays (ids or words).
 *
 *   p_n  = sum over hypotheses of sum over n-grams g of min(count(g), max over refs of count_ref(g))
 *          / sum over hypotheses of the number of n-grams          (clipped, "modified" precision)
 *   BP   = 1 if c >= r, else exp(1 - r / c) (0 for c = 0)   c: total hypothesis length; r: sum over
 *          hypotheses of the reference length closest to it (the shorter one on a tie)
 *   BLEU = BP * exp(sum_n w_n log p_n),      w_n = 1 / maxOrder (uniform; maxOrder 4 by default)
 *
 * Without smoothing any p_n = 0 gives BLEU 0, which is common for single short sentences. Two
 * smoothings of Chen & Cherry 2014 ("A Systematic Comparison of Smoothing Techniques for
 * Sentence-Level BLEU"):
 *   epsilon  method 1: a zero matched count becomes `epsilon` (default 0.1): p_n = epsilon / total_n
 *   addOne   method 2 (Lin & Och 2004): p_n = (matched_n + 1) / (total_n + 1) for n >= 2
 *
 * The reference is sacreBLEU's corpus BLEU (`BLEU.compute_bleu`, sacrebleu 2.6), which every
 * smoothing equals exactly: 'none', 'epsilon' and 'addOne' are its smooth_method 'none', 'floor'
 * (smooth_value = epsilon) and 'add-k' (k = 1). As there, BLEU is 0 when no unigram matches
 * (nothing is smoothed then), and an order with no n-gram at all (every hypothesis shorter than
 * n) has p_n = 0 except under addOne. NLTK's corpus_bleu with SmoothingFunction().method1 gives the
 * same 'epsilon' values whenever every hypothesis has at least maxOrder tokens (below that, NLTK
 * counts a sentence without n-grams of order n as holding one). Golden values:
 * test/fixtures/bleu/make-golden.py.
 */
import { invalidArgument, lengthMismatch } from '../errors.js';

/** The smoothing methods, as a value and a type. */
export const BLEU_SMOOTHINGS = ['none', 'epsilon', 'addOne'] as const;
export type BleuSmoothing = (typeof BLEU_SMOOTHINGS)[number];

export function isBleuSmoothing(value: unknown): value is BleuSmoothing {
  return (BLEU_SMOOTHINGS as readonly unknown[]).includes(value);
}

/** Options of `corpusBleu` and `sentenceBleu`. */
export interface BleuOptions {
  /**
   * Longest n-gram counted, with uniform weights 1 / maxOrder: an integer in [1, 100] (the bound
   * is far above any order in use and keeps the per-order arrays small). Default 4 (BLEU-4).
   */
  maxOrder?: number;
  /** Default 'none' (the paper's definition); see the file comment. */
  smoothing?: BleuSmoothing;
  /**
   * The numerator that replaces a zero match count under 'epsilon' smoothing, in (0, 1): less than
   * one real match. Default 0.1 (Chen & Cherry's value, NLTK's and sacreBLEU's default).
   */
  epsilon?: number;
}

/** BLEU and the parts it is made of. */
export interface BleuResult {
  /** In [0, 1]. */
  bleu: number;
  /** p_1 ... p_maxOrder, after smoothing. */
  precisions: number[];
  brevityPenalty: number;
  /** c: total hypothesis length. */
  hypothesisLength: number;
  /** r: total closest-reference length. */
  referenceLength: number;
}

type Token = number | string;

/** The largest `maxOrder` accepted. */
const MAX_ORDER = 100;

/** Counts of the n-grams of `tokens` of size `n`, keyed by their tokens. */
function ngramCounts(tokens: readonly Token[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = JSON.stringify(tokens.slice(i, i + n));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The reference length closest to `length` (the shorter of two equally close). */
function closestLength(references: readonly (readonly Token[])[], length: number): number {
  let best = references[0]!.length;
  for (const { length: r } of references) {
    const [d, bestD] = [Math.abs(r - length), Math.abs(best - length)];
    if (d < bestD || (d === bestD && r < best)) best = r;
  }
  return best;
}

/**
 * Corpus BLEU of `hypotheses[i]` against its references `references[i]` (one or more token
 * arrays each). Counts are summed over the corpus before dividing, as the paper defines it.
 */
export function corpusBleu(
  hypotheses: readonly (readonly Token[])[],
  references: readonly (readonly (readonly Token[])[])[],
  options: BleuOptions = {},
): BleuResult {
  const { maxOrder = 4, smoothing = 'none', epsilon = 0.1 } = options;
  if (!(Number.isInteger(maxOrder) && maxOrder >= 1 && maxOrder <= MAX_ORDER)) {
    throw invalidArgument('maxOrder', maxOrder, `an integer in [1, ${MAX_ORDER}]`);
  }
  if (!isBleuSmoothing(smoothing)) {
    throw invalidArgument('smoothing', smoothing, 'one of "none", "epsilon", "addOne"');
  }
  if (!(typeof epsilon === 'number' && epsilon > 0 && epsilon < 1)) {
    throw invalidArgument('epsilon', epsilon, 'a number in (0, 1)');
  }
  if (!Array.isArray(hypotheses)) {
    throw invalidArgument('hypotheses', hypotheses, 'an array of token arrays');
  }
  if (!Array.isArray(references) || references.length !== hypotheses.length) {
    if (!Array.isArray(references)) {
      throw invalidArgument('references', references, 'an array of arrays of token arrays');
    }
    throw lengthMismatch('references', references.length, 'hypotheses', hypotheses.length);
  }

  // 1. Clipped matches and totals per order, and the lengths, summed over the corpus.
  const matched = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  let hypothesisLength = 0;
  let referenceLength = 0;
  hypotheses.forEach((hypothesis, i) => {
    const refs = references[i]!;
    if (!Array.isArray(hypothesis)) {
      throw invalidArgument(`hypotheses[${i}]`, hypothesis, 'an array of tokens');
    }
    if (!Array.isArray(refs) || refs.length === 0) {
      throw invalidArgument(`references[${i}]`, refs, 'a non-empty array of token arrays');
    }
    refs.forEach((ref, j) => {
      if (!Array.isArray(ref)) {
        throw invalidArgument(`references[${i}][${j}]`, ref, 'an array of tokens');
      }
    });
    hypothesisLength += hypothesis.length;
    referenceLength += closestLength(refs, hypothesis.length);
    for (let n = 1; n <= maxOrder; n++) {
      const maxRef = new Map<string, number>();
      for (const ref of refs) {
        for (const [key, count] of ngramCounts(ref, n)) {
          maxRef.set(key, Math.max(maxRef.get(key) ?? 0, count));
        }
      }
      for (const [key, count] of ngramCounts(hypothesis, n)) {
        matched[n - 1]! += Math.min(count, maxRef.get(key) ?? 0);
        total[n - 1]! += count;
      }
    }
  });

  // 2. Precisions, smoothed if asked (never without a unigram match: BLEU is 0 then);
  // 3. brevity penalty; 4. the weighted geometric mean.
  const anyMatch = matched[0]! > 0;
  const precisions = matched.map((m, k) => {
    const t = total[k]!;
    if (anyMatch && smoothing === 'addOne' && k >= 1) return (m + 1) / (t + 1);
    if (t === 0) return 0;
    if (anyMatch && smoothing === 'epsilon' && m === 0) return epsilon / t;
    return m / t;
  });
  const brevityPenalty =
    hypothesisLength >= referenceLength
      ? 1
      : hypothesisLength === 0
        ? 0
        : Math.exp(1 - referenceLength / hypothesisLength);
  const logMean = precisions.reduce((sum, p) => sum + Math.log(p) / maxOrder, 0);
  const bleu = precisions.some((p) => p === 0) ? 0 : brevityPenalty * Math.exp(logMean);
  return { bleu, precisions, brevityPenalty, hypothesisLength, referenceLength };
}

/** BLEU of one hypothesis against its references: corpus BLEU of a one-sentence corpus. */
export function sentenceBleu(
  hypothesis: readonly Token[],
  references: readonly (readonly Token[])[],
  options: BleuOptions = {},
): BleuResult {
  return corpusBleu([hypothesis], [references], options);
}
