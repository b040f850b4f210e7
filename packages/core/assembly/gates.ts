// The recurrent cells' activations, four lanes at a time, shared by lstm.ts and gru.ts.

import { sigmoid4 } from './exp';
import { at } from './heap';

// The gate activation codes the kernels take: 0 sigmoid, 1 hardSigmoid.
export const HARD_SIGMOID = 1;

// tanh: the [13/6] rational minimax approximation on [-7.9053, 7.9053] that Eigen uses for
// float32 (`generic_fast_tanh_float`, Eigen/src/Core/MathFunctionsImpl.h); the same coefficients
// as src/fused/fast-tanh.ts, here in float32 as Eigen evaluates them.
const CLAMP: f32 = 7.905311107635498;
const A13: f32 = -2.76076847742355e-16;
const A11: f32 = 2.00018790482477e-13;
const A9: f32 = -8.60467152213735e-11;
const A7: f32 = 5.12229709037114e-8;
const A5: f32 = 1.48572235717979e-5;
const A3: f32 = 6.37261928875436e-4;
const A1: f32 = 4.89352455891786e-3;
const B6: f32 = 1.19825839466702e-6;
const B4: f32 = 1.18534705686654e-4;
const B2: f32 = 2.268434632439e-3;
const B0: f32 = 4.89352518554385e-3;

function mad(a: v128, b: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(a, b), f32x4.splat(c));
}

export function tanh4(x: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-CLAMP)), f32x4.splat(CLAMP));
  const x2 = f32x4.mul(c, c);
  const x4 = f32x4.mul(x2, x2);
  // p = (A1 + A3 y) + y^2 ((A5 + A7 y) + y^2 (A9 + A11 y + A13 y^2)) and q likewise, y = x^2:
  // independent pairs, then powers of y (Estrin's scheme), so that the chain of dependent
  // multiply-adds is half Horner's (the loops are latency-bound); as accurate (both are within
  // float32 rounding of the approximation).
  const p01 = mad(f32x4.splat(A3), x2, A1);
  const p23 = mad(f32x4.splat(A7), x2, A5);
  const p456 = f32x4.add(mad(f32x4.splat(A11), x2, A9), f32x4.mul(f32x4.splat(A13), x4));
  const p = f32x4.add(p01, f32x4.mul(x4, f32x4.add(p23, f32x4.mul(x4, p456))));
  const q = f32x4.add(mad(f32x4.splat(B2), x2, B0), f32x4.mul(mad(f32x4.splat(B6), x2, B4), x4));
  return f32x4.div(f32x4.mul(c, p), q);
}

// The logistic sigmoid (exp.ts), or hardSigmoid(x) = clip(0.2 x + 0.5, 0, 1) as TF.js has it.
export function gate4(z: v128, kind: i32): v128 {
  if (kind === HARD_SIGMOID) {
    const y = f32x4.add(f32x4.mul(z, f32x4.splat(0.2)), f32x4.splat(0.5));
    return f32x4.pmin(f32x4.pmax(y, f32x4.splat(0)), f32x4.splat(1));
  }
  return sigmoid4(z);
}

// hardSigmoid's slope: 0.2 where 0 <= 0.2 z + 0.5 <= 1 (bounds included, as TF.js's clipByValue
// gradient), else 0.
export function hardSlope4(z: v128): v128 {
  const y = f32x4.add(f32x4.mul(z, f32x4.splat(0.2)), f32x4.splat(0.5));
  const inside = v128.and(f32x4.ge(y, f32x4.splat(0)), f32x4.le(y, f32x4.splat(1)));
  return v128.and(inside, f32x4.splat(0.2));
}

// Whether step t of batch row b is skipped (mask [B, T], 0: skipped; mask 0: none is).
export function isMasked(mask: usize, timeSteps: i32, b: i32, t: i32): bool {
  return mask !== 0 && load<f32>(at(mask, b * timeSteps + t)) === 0;
}
