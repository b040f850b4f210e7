import { expect } from 'vitest';

/**
 * The gradients of sum(f(inputs) * R) w.r.t. each input by central differences in float64
 * (step 1e-6), for a reference f on flat arrays.
 */
export function numericGrads(
  f: (inputs: number[][]) => number[],
  inputs: number[][],
  R: number[],
): number[][] {
  const loss = (xs: number[][]) => f(xs).reduce((s, v, i) => s + v * R[i]!, 0);
  const h = 1e-6;
  return inputs.map((input, which) =>
    input.map((_, i) => {
      const shifted = (delta: number) =>
        inputs.map((x, w) => (w === which ? x.map((v, j) => (j === i ? v + delta : v)) : x));
      return (loss(shifted(h)) - loss(shifted(-h))) / (2 * h);
    }),
  );
}

/** Every |actual - expected| below `tol`. */
export function expectClose(actual: ArrayLike<number>, expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...Array.from(actual, (a, i) => Math.abs(a - expected[i]!)));
  expect(worst).toBeLessThan(tol);
}
