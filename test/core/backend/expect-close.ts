import { expect } from 'vitest';

/** Asserts equal lengths and |actual[i] - expected[i]| <= tolerance everywhere, naming the worst. */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (!(diff <= worst)) [worst, at] = [diff, i];
  }
  expect(
    worst,
    at < 0 ? 'no difference' : `at ${at}: ${actual[at]} vs ${expected[at]}`,
  ).toBeLessThanOrEqual(tolerance);
}
