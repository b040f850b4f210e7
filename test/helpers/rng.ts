/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): a tiny seeded PRNG, so that every run of a test
 * sees the same "random" inputs. Returns numbers uniform in [0, 1).
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * n numbers uniform in (-1, 1) from `rand`, rounded to float32 so that a float64 reference and a
 * float32 tensor start from the same values.
 */
export function float32Uniform(rand: () => number, n: number): number[] {
  return Array.from({ length: n }, () => Math.fround(rand() * 2 - 1));
}
