/**
 * tanh and the logistic sigmoid for the fused recurrent loops, to float32 accuracy at a fraction
 * of the cost of Math.tanh and Math.exp, which V8 calls out of line (they were most of an
 * encoder's forward pass; bench/PERFORMANCE.md).
 *
 * tanh is the [13/6] rational minimax approximation on [-7.9053, 7.9053] that Eigen uses for
 * float32 (`generic_fast_tanh_float`, Eigen/src/Core/MathFunctionsImpl.h): odd numerator
 * x (a1 + a3 x^2 + ... + a13 x^12), even denominator b0 + b2 x^2 + b4 x^4 + b6 x^6, and +-1 (to
 * float32) beyond the interval. Against Math.tanh, evaluated in float64: at most 2.6e-7 absolute
 * and relative error (test/core/fused/fast-tanh.test.ts), about two float32 ulps.
 * sigmoid(x) = (1 + tanh(x / 2)) / 2.
 */

/** Beyond this |x|, tanh(x) rounds to +-1 in float32. */
const CLAMP = 7.905311107635498;

export function fastTanh(x: number): number {
  const c = Math.min(Math.max(x, -CLAMP), CLAMP);
  const x2 = c * c;
  let p = -2.76076847742355e-16; // a13
  p = p * x2 + 2.00018790482477e-13; // a11
  p = p * x2 - 8.60467152213735e-11; // a9
  p = p * x2 + 5.12229709037114e-8; // a7
  p = p * x2 + 1.48572235717979e-5; // a5
  p = p * x2 + 6.37261928875436e-4; // a3
  p = p * x2 + 4.89352455891786e-3; // a1
  let q = 1.19825839466702e-6; // b6
  q = q * x2 + 1.18534705686654e-4; // b4
  q = q * x2 + 2.268434632439e-3; // b2
  q = q * x2 + 4.89352518554385e-3; // b0
  return (c * p) / q;
}

export function fastSigmoid(x: number): number {
  return 0.5 + 0.5 * fastTanh(0.5 * x);
}
