/** Length penalties (Wu et al. 2016 eq. 14, and |Y|^alpha), the stopping bound and n-gram bans. */
import { describe, expect, it } from 'vitest';
import {
  bestReachable,
  checkLengthPenalty,
  penaltyOf,
  scoreOf,
} from '../../../packages/core/src/search/length-penalty.js';
import { bannedNextTokens } from '../../../packages/core/src/search/ngram-block.js';

describe('length penalty', () => {
  it('follows the formulas: ((5 + |Y|) / 6)^alpha and |Y|^alpha', () => {
    expect(penaltyOf({ kind: 'gnmt', alpha: 1 }, 7)).toBe(2); // (5 + 7) / 6
    expect(penaltyOf({ kind: 'gnmt', alpha: 0.5 }, 4)).toBeCloseTo(Math.sqrt(1.5), 15);
    expect(penaltyOf({ kind: 'average', alpha: 0.5 }, 9)).toBe(3);
    expect(scoreOf({ kind: 'average', alpha: 1 }, -6, 3)).toBe(-2);
    expect(scoreOf({ kind: 'gnmt', alpha: 0 }, -6, 3)).toBe(-6);
  });

  it('defaults to gnmt with alpha 0', () => {
    expect(checkLengthPenalty()).toEqual({ kind: 'gnmt', alpha: 0 });
  });

  it('bounds what a live hypothesis can still reach by the better end of [length + 1, maxLength]', () => {
    // alpha 1: lp(2) = 7/6, lp(7) = 2, so -6 can still become -6 / 2 = -3 at length 7.
    expect(bestReachable({ kind: 'gnmt', alpha: 1 }, -6, 1, 7)).toBe(-3);
    // alpha -1: lp falls with length: lp(2) = 6/7 gives -7, lp(7) = 1/2 gives -12 -> -7.
    expect(bestReachable({ kind: 'gnmt', alpha: -1 }, -6, 1, 7)).toBeCloseTo(-7, 12);
    expect(bestReachable({ kind: 'average', alpha: 0 }, -6, 1, 7)).toBe(-6);
  });
});

describe('bannedNextTokens', () => {
  it('bans the token that would complete an n-gram seen before', () => {
    expect(bannedNextTokens([1, 2, 3, 1, 2], 3)).toEqual([3]); // "1 2 3" exists; prefix is "1 2"
    expect(bannedNextTokens([5, 5], 2)).toEqual([5]); // "5 5" exists; prefix "5"
    expect(bannedNextTokens([1, 2, 1], 1)).toEqual([1, 2, 1]); // every seen token
    expect(bannedNextTokens([1, 2], 4)).toEqual([]); // too short to repeat anything
  });
});
