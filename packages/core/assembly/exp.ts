// exp and the logistic sigmoid four lanes at a time, shared by row-stats.ts (softmax sums) and
// gates.ts (the recurrent cells' gates); compiled into each module that imports them.
//
// exp(d) for d <= 0: t = d * log2(e) clamped to >= -126, k = round(t) by the magic-number trick
// (t + 1.5 * 2^23 rounds t to an integer in the low mantissa bits; the constant's extra 127 is
// the exponent bias, so those bits shifted left by 23 are 2^k as an IEEE 754 binary32), then
// f = t - k in [-1/2, 1/2] and 2^f by the degree-5 polynomial that interpolates it at the
// Chebyshev nodes of that interval (coefficients from numpy.polyfit at the nodes; max relative
// error 1.0e-7, 2.4e-7 evaluated in float32, as e^y at y = f ln 2 was with one multiply more):
// exp(d) = 2^k * 2^f.

const LOG2E = <f32>Math.LOG2E;
const MAGIC: f32 = 12583039; // 1.5 * 2^23 + 127
const C0: f32 = 1.0000000755;
const C1: f32 = 0.693147188;
const C2: f32 = 0.2402210749;
const C3: f32 = 0.0555035711;
const C4: f32 = 0.0096760319;
const C5: f32 = 0.0013390863;

export function exp4(d: v128): v128 {
  return pow2(f32x4.pmax(f32x4.mul(d, f32x4.splat(LOG2E)), f32x4.splat(-126)));
}

// sigmoid(x) = 1 / (1 + e^-x), Keras' and PyTorch's logistic sigmoid, with t = -x log2(e)
// clamped to [-126, 126] so that 2^t stays a finite binary32: far below 0 the sigmoid is then
// 1 / (1 + 2^126), 0 to float32 (1.2e-38), and far above 1 / (1 + 2^-126) = 1.
export function sigmoid4(x: v128): v128 {
  const t = f32x4.mul(x, f32x4.splat(-LOG2E));
  const e = pow2(f32x4.pmin(f32x4.pmax(t, f32x4.splat(-126)), f32x4.splat(126)));
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
}

// 2^t for t in [-126, 126] (see the top).
function pow2(t: v128): v128 {
  const u = f32x4.add(t, f32x4.splat(MAGIC));
  const scale = i32x4.shl(u, 23); // 2^k
  const y = f32x4.sub(t, f32x4.sub(u, f32x4.splat(MAGIC))); // f
  let p = f32x4.add(f32x4.mul(f32x4.splat(C5), y), f32x4.splat(C4));
  p = f32x4.add(f32x4.mul(p, y), f32x4.splat(C3));
  p = f32x4.add(f32x4.mul(p, y), f32x4.splat(C2));
  p = f32x4.add(f32x4.mul(p, y), f32x4.splat(C1));
  p = f32x4.add(f32x4.mul(p, y), f32x4.splat(C0));
  return f32x4.mul(p, scale);
}
