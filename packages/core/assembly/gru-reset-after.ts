// The loop over time of the reset-after GRU (Keras 2+'s default, PyTorch's nn.GRU: the reset
// gate applied after the recurrent product, two biases), forward and backward, for the kernels
// `EncdecGruResetAfter` and `EncdecGruResetAfterGrad`
// (src/backend/kernels/wasm-recurrent-kernels.ts), exported by gru.ts's module. The update rule
// and records of
// src/fused/gru-reset-after-loop.ts (the JavaScript loop, which documents the
// equations), in float32 SIMD on the heap: each step's h_{t-1} U + b_rec as one product of all
// three gate blocks (product.ts), then the gates four units at a time. Units must be a multiple
// of 4 (the kernel checks).
//
// Layouts (floats, row-major): xProj [B, T, 3u] (z r h, the input bias included); U [u, 3u];
// uBias [3u] (b_rec) or null; mask [B, T] or null; out, flat: [B, T, u] h after each step in
// reading order, then the final h [B, u]. Records, when `record` is set: gates [T, B, 3u]
// (z r hh), hPrev [B, T, u] (laid out like xProj, for dU = hPrev^T dm), mh [T, B, u]
// (h_{t-1} U_h + b_rh), slopes [T, B, 2u] (hardSigmoid only: a'(z_z), a'(z_r)).

import { gate4, HARD_SIGMOID, hardSlope4, isMasked, tanh4 } from './gates';
import { at, copy, copyRows, transpose, zero } from './heap';
import { product } from './product';

// The forward loop, in the arguments every cell's module takes (lstm.ts; there is no c0).
// scratch: m = h_{t-1} U + b_rec [B, 3u].
export function gruResetAfterForward(
  xProj: usize,
  u: usize,
  uBias: usize,
  h0: usize,
  _c0: usize,
  mask: usize,
  out: usize,
  m: usize,
  batch: i32,
  timeSteps: i32,
  units: i32,
  goBackwards: i32,
  kind: i32,
  record: i32,
  gates: usize,
  hPrev: usize,
  mh: usize,
  slopes: usize,
): void {
  const width = 3 * units;
  const outStride = timeSteps * units;
  const hard = kind === HARD_SIGMOID;
  const one = f32x4.splat(1);
  let h = h0;
  let hStride = units;
  for (let s = 0; s < timeSteps; s++) {
    const t = goBackwards ? timeSteps - 1 - s : s;
    // m = b_rec + h_{t-1} U   [B, 3u] (b_rec read as a row of stride 0, for every row)
    product(m, width, uBias, 0, h, hStride, 1, u, width, batch, units, width);
    for (let b = 0; b < batch; b++) {
      const hRow = at(h, b * hStride);
      const outRow = at(out, b * outStride + s * units);
      const row = (b * timeSteps + t) * units;
      const rec = (s * batch + b) * width; // step-major records of this row
      const recU = (s * batch + b) * units;
      const recS = (s * batch + b) * 2 * units;
      if (isMasked(mask, timeSteps, b, t)) {
        copy(outRow, hRow, units); // h carried
        if (record) {
          // Zeros, as the JavaScript loop leaves them: the backward pass skips these steps.
          zero(at(hPrev, row), units);
          zero(at(gates, rec), width);
          zero(at(mh, recU), units);
          if (hard) zero(at(slopes, recS), 2 * units);
        }
        continue;
      }
      const xRow = at(xProj, (b * timeSteps + t) * width);
      const mRow = at(m, b * width);
      for (let j = 0; j < units; j += 4) {
        const preZ = f32x4.add(v128.load(at(xRow, j)), v128.load(at(mRow, j)));
        const preR = f32x4.add(v128.load(at(xRow, units + j)), v128.load(at(mRow, units + j)));
        const z = gate4(preZ, kind);
        const r = gate4(preR, kind);
        const mhj = v128.load(at(mRow, 2 * units + j));
        const hh = tanh4(f32x4.add(v128.load(at(xRow, 2 * units + j)), f32x4.mul(r, mhj)));
        const hp = v128.load(at(hRow, j));
        if (record) {
          v128.store(at(hPrev, row + j), hp);
          v128.store(at(mh, recU + j), mhj);
          v128.store(at(gates, rec + j), z);
          v128.store(at(gates, rec + units + j), r);
          v128.store(at(gates, rec + 2 * units + j), hh);
          if (hard) {
            v128.store(at(slopes, recS + j), hardSlope4(preZ));
            v128.store(at(slopes, recS + units + j), hardSlope4(preR));
          }
        }
        // h_t = z h_{t-1} + (1 - z) hh
        v128.store(at(outRow, j), f32x4.add(f32x4.mul(z, hp), f32x4.mul(f32x4.sub(one, z), hh)));
      }
    }
    h = at(out, s * units);
    hStride = outStride;
  }
  copyRows(at(out, batch * outStride), h, hStride, batch, units);
}

// The backward loop, from the last step to the first, in the arguments every cell's module
// takes. dy like `out`; dPre [B, T, 3u] like xProj and dRecurrent (dm, the gradient of
// h_{t-1} U + b_rec) likewise, both zero on skipped steps; dh [B, u]: carried through the loop,
// d h_0 at the end; scratch: U^T [3u, u] (written here), then dh_{t-1} [B, u].
export function gruResetAfterBackward(
  dy: usize,
  u: usize,
  mask: usize,
  dPre: usize,
  dRecurrent: usize,
  dh: usize,
  scratch: usize,
  batch: i32,
  timeSteps: i32,
  units: i32,
  goBackwards: i32,
  kind: i32,
  gates: usize,
  hPrev: usize,
  mh: usize,
  slopes: usize,
): void {
  const width = 3 * units;
  const dyStride = timeSteps * units;
  const uT = scratch;
  const dhPrev = at(scratch, width * units);
  const hard = kind === HARD_SIGMOID;
  transpose(uT, u, units, width); // [u, 3u] -> [3u, u]
  copy(dh, at(dy, batch * dyStride), batch * units); // the final h's gradient
  const one = f32x4.splat(1);
  for (let s = timeSteps - 1; s >= 0; s--) {
    const t = goBackwards ? timeSteps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const dhRow = at(dh, b * units);
      const dyRow = at(dy, b * dyStride + s * units);
      const dz = at(dPre, (b * timeSteps + t) * width);
      const dm = at(dRecurrent, (b * timeSteps + t) * width);
      for (let j = 0; j < units; j += 4) {
        v128.store(at(dhRow, j), f32x4.add(v128.load(at(dhRow, j)), v128.load(at(dyRow, j))));
      }
      if (isMasked(mask, timeSteps, b, t)) {
        zero(dz, width); // h passed through unchanged
        zero(dm, width);
        continue;
      }
      const rec = (s * batch + b) * width;
      const recU = (s * batch + b) * units;
      const recS = (s * batch + b) * 2 * units;
      const row = (b * timeSteps + t) * units;
      for (let j = 0; j < units; j += 4) {
        const z = v128.load(at(gates, rec + j));
        const r = v128.load(at(gates, rec + units + j));
        const hh = v128.load(at(gates, rec + 2 * units + j));
        const slopeZ = hard ? v128.load(at(slopes, recS + j)) : f32x4.mul(z, f32x4.sub(one, z));
        const slopeR = hard
          ? v128.load(at(slopes, recS + units + j))
          : f32x4.mul(r, f32x4.sub(one, r));
        const dhj = v128.load(at(dhRow, j));
        const dzh = f32x4.mul(f32x4.mul(dhj, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(hh, hh)));
        const hp = v128.load(at(hPrev, row + j));
        const dzz = f32x4.mul(f32x4.mul(dhj, f32x4.sub(hp, hh)), slopeZ);
        const dzr = f32x4.mul(f32x4.mul(dzh, v128.load(at(mh, recU + j))), slopeR);
        v128.store(at(dz, j), dzz);
        v128.store(at(dz, units + j), dzr);
        v128.store(at(dz, 2 * units + j), dzh);
        v128.store(at(dm, j), dzz);
        v128.store(at(dm, units + j), dzr);
        v128.store(at(dm, 2 * units + j), f32x4.mul(dzh, r));
      }
    }
    // dh_{t-1} = dh z + dm U^T for the real rows; skipped rows keep dh.
    product(
      dhPrev,
      units,
      0,
      0,
      at(dRecurrent, t * width),
      timeSteps * width,
      1,
      uT,
      units,
      batch,
      width,
      units,
    );
    for (let b = 0; b < batch; b++) {
      if (isMasked(mask, timeSteps, b, t)) continue;
      const rec = (s * batch + b) * width;
      const dhRow = at(dh, b * units);
      for (let j = 0; j < units; j += 4) {
        const viaGate = f32x4.mul(v128.load(at(dhRow, j)), v128.load(at(gates, rec + j)));
        v128.store(at(dhRow, j), f32x4.add(viaGate, v128.load(at(dhPrev, b * units + j))));
      }
    }
  }
}
