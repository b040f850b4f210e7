// AssemblyScript source of the wasm kernel in src/backend/kernels/adam.ts, compiled by
// `npm run build:wasm` into src/backend/kernels/modules/adam-bytes.ts. It runs on the memory of
// TF.js's wasm backend (imported, never grown here, no data of its own), on pointers the kernel
// passes, with 128-bit SIMD.
//
// adam, one Adam update (Kingma & Ba 2015, Algorithm 1) of `n` float32 values, in one pass:
//   m' = m b1 + g c1                       c1 = 1 - beta1
//   v' = v b2 + (g g) c2                   c2 = 1 - beta2
//   x' = ((m' / d1) / (sqrt(v' / d2) + eps)) nlr + x
// with d1 = 1 - beta1^t, d2 = 1 - beta2^t, nlr = -learningRate: every operation in float32 and
// in the order of TF.js's AdamOptimizer, one kernel of its each, so that the result is the same
// to the bit (IEEE float32 add, mul, div and sqrt are correctly rounded on every backend).

function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 2);
}

export function adam(
  x: usize,
  m: usize,
  v: usize,
  g: usize,
  n: i32,
  b1: f32,
  c1: f32,
  b2: f32,
  c2: f32,
  d1: f32,
  d2: f32,
  eps: f32,
  nlr: f32,
  xOut: usize,
  mOut: usize,
  vOut: usize,
): void {
  const vb1 = f32x4.splat(b1);
  const vc1 = f32x4.splat(c1);
  const vb2 = f32x4.splat(b2);
  const vc2 = f32x4.splat(c2);
  const vd1 = f32x4.splat(d1);
  const vd2 = f32x4.splat(d2);
  const veps = f32x4.splat(eps);
  const vnlr = f32x4.splat(nlr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const gi = v128.load(at(g, i));
    const mi = f32x4.add(f32x4.mul(v128.load(at(m, i)), vb1), f32x4.mul(gi, vc1));
    const vi = f32x4.add(f32x4.mul(v128.load(at(v, i)), vb2), f32x4.mul(f32x4.mul(gi, gi), vc2));
    const step = f32x4.div(f32x4.div(mi, vd1), f32x4.add(f32x4.sqrt(f32x4.div(vi, vd2)), veps));
    v128.store(at(xOut, i), f32x4.add(f32x4.mul(step, vnlr), v128.load(at(x, i))));
    v128.store(at(mOut, i), mi);
    v128.store(at(vOut, i), vi);
  }
  for (; i < n; i++) {
    const gi = load<f32>(at(g, i));
    const mi = load<f32>(at(m, i)) * b1 + gi * c1;
    const vi = load<f32>(at(v, i)) * b2 + gi * gi * c2;
    const step = mi / d1 / (sqrt<f32>(vi / d2) + eps);
    store<f32>(at(xOut, i), step * nlr + load<f32>(at(x, i)));
    store<f32>(at(mOut, i), mi);
    store<f32>(at(vOut, i), vi);
  }
}
