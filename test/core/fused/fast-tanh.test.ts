/** fastTanh and fastSigmoid against Math.tanh and 1 / (1 + e^-x), in float64. */
import { describe, expect, it } from 'vitest';
import { fastSigmoid, fastTanh } from '../../../packages/core/src/fused/fast-tanh.js';

/** 400,001 points evenly over [-20, 20], plus tiny and huge magnitudes. */
const points = [
  ...Array.from({ length: 400_001 }, (_, i) => -20 + i * 1e-4),
  1e-12,
  -3e-8,
  1e3,
  -1e300,
];

describe('fastTanh', () => {
  it('is within 2.7e-7 of Math.tanh, absolute and relative', () => {
    let worstAbs = 0;
    let worstRel = 0;
    for (const x of points) {
      const diff = Math.abs(fastTanh(x) - Math.tanh(x));
      worstAbs = Math.max(worstAbs, diff);
      if (x !== 0) worstRel = Math.max(worstRel, diff / Math.abs(Math.tanh(x)));
    }
    expect(worstAbs).toBeLessThan(2.7e-7);
    expect(worstRel).toBeLessThan(2.7e-7);
  });

  it('is odd, 0 at 0, and within [-1, 1] everywhere', () => {
    expect(fastTanh(0)).toBe(0);
    for (const x of points) {
      expect(fastTanh(-x)).toBe(-fastTanh(x));
      expect(Math.abs(fastTanh(x))).toBeLessThanOrEqual(1);
    }
  });
});

describe('fastSigmoid', () => {
  it('is within 1.5e-7 of 1 / (1 + e^-x)', () => {
    let worst = 0;
    for (const x of points) {
      worst = Math.max(worst, Math.abs(fastSigmoid(x) - 1 / (1 + Math.exp(-x))));
    }
    expect(worst).toBeLessThan(1.5e-7);
  });
});
