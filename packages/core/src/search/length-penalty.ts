/**
 * Length normalization of beam-search scores. A sum of log-probabilities favours short sequences
 * (every token adds a negative number); dividing by a penalty that grows with the length |Y|
 * (the number of returned tokens, the end token included) evens that out:
 *
 *   gnmt     score = logProb / ((5 + |Y|) / 6)^alpha     (Wu et al. 2016, GNMT, eq. 14)
 *   average  score = logProb / |Y|^alpha                 (alpha = 1: the mean log-probability)
 *
 * alpha = 0 turns either off (score = logProb); it is the default, so that beam search with
 * beamWidth 1 is greedy search. GNMT used alpha in [0.6, 1].
 */
import { invalidArgument } from '../errors.js';

/** The length normalizations, as a value (for checks) and a type. */
export const LENGTH_NORMALIZATIONS = ['gnmt', 'average'] as const;
export type LengthNormalization = (typeof LENGTH_NORMALIZATIONS)[number];

export function isLengthNormalization(value: unknown): value is LengthNormalization {
  return (LENGTH_NORMALIZATIONS as readonly unknown[]).includes(value);
}

/** A length penalty: how to normalize and how strongly. */
export interface LengthPenalty {
  kind: LengthNormalization;
  alpha: number;
}

/** Checks the two user options; `kind` defaults to 'gnmt', `alpha` to 0 (no normalization). */
export function checkLengthPenalty(alpha: unknown = 0, kind: unknown = 'gnmt'): LengthPenalty {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw invalidArgument('lengthPenalty', alpha, 'a finite number (alpha; 0 turns it off)');
  }
  if (!isLengthNormalization(kind)) {
    throw invalidArgument('lengthNormalization', kind, 'one of "gnmt", "average"');
  }
  return { kind, alpha };
}

/** The divisor lp(|Y|) of a sequence of `length` tokens. */
export function penaltyOf({ kind, alpha }: LengthPenalty, length: number): number {
  if (alpha === 0) return 1;
  return kind === 'gnmt' ? ((5 + length) / 6) ** alpha : length ** alpha;
}

/** The score a sequence of `length` tokens with total log-probability `logProb` is ranked by. */
export function scoreOf(penalty: LengthPenalty, logProb: number, length: number): number {
  return logProb / penaltyOf(penalty, length);
}

/**
 * The best score any continuation of a live hypothesis (`logProb` over `length` tokens) can still
 * reach, when it may grow to at most `maxLength` tokens. Log-probabilities are <= 0, so a
 * continuation's logProb' <= logProb, and logProb' / lp(L) <= logProb / lp(L) for every final
 * length L in [length + 1, maxLength]; lp is monotonic in L, so the larger of the two ends bounds
 * it. Beam search stops a row only when no live hypothesis can beat what it would return.
 */
export function bestReachable(
  penalty: LengthPenalty,
  logProb: number,
  length: number,
  maxLength: number,
): number {
  if (penalty.alpha === 0) return logProb;
  const shortest = Math.min(length + 1, maxLength);
  return Math.max(scoreOf(penalty, logProb, shortest), scoreOf(penalty, logProb, maxLength));
}
