/** LayerNorm in float64 from the formula (Ba et al. 2016), the reference of the LayerNorm tests. */
import { LAYER_NORM_EPSILON } from '@encdec/core/internal';

/** (x - mean) / sqrt(var + eps) * gamma + beta for each row of x [rows, d], flat row-major. */
export function refLayerNorm(x: number[], d: number, gamma: number[], beta: number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / d; r++) {
    const row = x.slice(r * d, (r + 1) * d);
    const mean = row.reduce((a, b) => a + b, 0) / d;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / d;
    for (const [j, v] of row.entries()) {
      out.push(((v - mean) / Math.sqrt(variance + LAYER_NORM_EPSILON)) * gamma[j]! + beta[j]!);
    }
  }
  return out;
}
