// AssemblyScript source of the wasm kernels in src/backend/kernels/layer-norm.ts, compiled by
// `npm run build:wasm` into src/backend/kernels/modules/layer-norm-bytes.ts. It runs on the memory
// of TF.js's wasm backend (imported, never grown here, no data of its own), on pointers the
// kernel passes, with 128-bit SIMD.
//
// LayerNorm (Ba et al. 2016) of each of `rows` rows of `d` float32 values, in float32:
//   layerNorm:      mean = sum_j x_j / d,  rstd = 1 / sqrt(sum_j (x_j - mean)^2 / d + eps),
//                   y_j = (x_j - mean) rstd gamma_j + beta_j; mean and rstd are kept per row.
//   layerNormGrad:  with xhat_j = (x_j - mean) rstd and g_j = dy_j gamma_j,
//                   dx_j = rstd (g_j - sum_k g_k / d - xhat_j sum_k g_k xhat_k / d),
//                   dgamma_j = sum_rows dy_j xhat_j, dbeta_j = sum_rows dy_j.

function at(base: usize, j: i32): usize {
  return base + ((<usize>j) << 2);
}

function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

export function layerNorm(
  x: usize,
  rows: i32,
  d: i32,
  gamma: usize,
  beta: usize,
  eps: f32,
  y: usize,
  meanOut: usize,
  rstdOut: usize,
): void {
  const invD = <f32>1 / <f32>d;
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>d) << 2);
    const out = y + ((<usize>r * <usize>d) << 2);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= d; j += 4) acc = f32x4.add(acc, v128.load(at(row, j)));
    let s = hsum(acc);
    for (; j < d; j++) s += load<f32>(at(row, j));
    const mean = s * invD;
    const vmean = f32x4.splat(mean);
    acc = f32x4.splat(0);
    j = 0;
    for (; j + 4 <= d; j += 4) {
      const c = f32x4.sub(v128.load(at(row, j)), vmean);
      acc = f32x4.add(acc, f32x4.mul(c, c));
    }
    let q = hsum(acc);
    for (; j < d; j++) {
      const c = load<f32>(at(row, j)) - mean;
      q += c * c;
    }
    const rstd = <f32>1 / sqrt<f32>(q * invD + eps);
    const vrstd = f32x4.splat(rstd);
    j = 0;
    for (; j + 4 <= d; j += 4) {
      const xhat = f32x4.mul(f32x4.sub(v128.load(at(row, j)), vmean), vrstd);
      v128.store(
        at(out, j),
        f32x4.add(f32x4.mul(xhat, v128.load(at(gamma, j))), v128.load(at(beta, j))),
      );
    }
    for (; j < d; j++) {
      const xhat = (load<f32>(at(row, j)) - mean) * rstd;
      store<f32>(at(out, j), xhat * load<f32>(at(gamma, j)) + load<f32>(at(beta, j)));
    }
    store<f32>(at(meanOut, r), mean);
    store<f32>(at(rstdOut, r), rstd);
  }
}

// dgamma and dbeta are summed into their outputs, which the kernel zeroes first.
export function layerNormGrad(
  dy: usize,
  x: usize,
  rows: i32,
  d: i32,
  mean: usize,
  rstd: usize,
  gamma: usize,
  dx: usize,
  dgamma: usize,
  dbeta: usize,
): void {
  const invD = <f32>1 / <f32>d;
  for (let r = 0; r < rows; r++) {
    const offset = (<usize>r * <usize>d) << 2;
    const rowX = x + offset;
    const rowDy = dy + offset;
    const rowDx = dx + offset;
    const m = load<f32>(at(mean, r));
    const s = load<f32>(at(rstd, r));
    const vm = f32x4.splat(m);
    const vs = f32x4.splat(s);
    // 1. sum_k g_k and sum_k g_k xhat_k; dgamma and dbeta on the way.
    let accG = f32x4.splat(0);
    let accGX = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const xhat = f32x4.mul(f32x4.sub(v128.load(at(rowX, j)), vm), vs);
      const dyj = v128.load(at(rowDy, j));
      const g = f32x4.mul(dyj, v128.load(at(gamma, j)));
      accG = f32x4.add(accG, g);
      accGX = f32x4.add(accGX, f32x4.mul(g, xhat));
      v128.store(at(dgamma, j), f32x4.add(v128.load(at(dgamma, j)), f32x4.mul(dyj, xhat)));
      v128.store(at(dbeta, j), f32x4.add(v128.load(at(dbeta, j)), dyj));
    }
    let sumG = hsum(accG);
    let sumGX = hsum(accGX);
    for (; j < d; j++) {
      const xhat = (load<f32>(at(rowX, j)) - m) * s;
      const dyj = load<f32>(at(rowDy, j));
      const g = dyj * load<f32>(at(gamma, j));
      sumG += g;
      sumGX += g * xhat;
      store<f32>(at(dgamma, j), load<f32>(at(dgamma, j)) + dyj * xhat);
      store<f32>(at(dbeta, j), load<f32>(at(dbeta, j)) + dyj);
    }
    // 2. dx.
    const meanG = sumG * invD;
    const meanGX = sumGX * invD;
    const vmg = f32x4.splat(meanG);
    const vmgx = f32x4.splat(meanGX);
    j = 0;
    for (; j + 4 <= d; j += 4) {
      const xhat = f32x4.mul(f32x4.sub(v128.load(at(rowX, j)), vm), vs);
      const g = f32x4.mul(v128.load(at(rowDy, j)), v128.load(at(gamma, j)));
      const inner = f32x4.sub(f32x4.sub(g, vmg), f32x4.mul(xhat, vmgx));
      v128.store(at(rowDx, j), f32x4.mul(inner, vs));
    }
    for (; j < d; j++) {
      const xhat = (load<f32>(at(rowX, j)) - m) * s;
      const g = load<f32>(at(rowDy, j)) * load<f32>(at(gamma, j));
      store<f32>(at(rowDx, j), (g - meanG - xhat * meanGX) * s);
    }
  }
}
