// What the benchmarks share: a median timer and a seeded random source.

/**
 * Median milliseconds of `fn` (sync or async) over `runs`, after `warmup` calls: V8 needs 3-5
 * calls to warm up, and the median ignores the odd slow run (runs vary about 15% here).
 */
export async function medianMs(fn, { runs = 5, warmup = 3 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** Deterministic uniform [0, 1) (mulberry32), so every run measures the same data. */
export function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
