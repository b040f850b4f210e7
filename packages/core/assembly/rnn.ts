// AssemblyScript source of the wasm kernels `EncdecRnn` and `EncdecRnnGrad`
// (src/backend/kernels/wasm-recurrent-kernels.ts), compiled by `npm run build:wasm` into
// src/backend/kernels/modules/rnn-bytes.ts. Like lstm.ts it runs on TF.js's wasm memory, on pointers the
// kernel passes, and has no data of its own.
//
// The loop over time of a simple RNN with tanh, h_t = tanh(x_t W + b + h_{t-1} U), forward and
// backward, with the records of src/fused/rnn-loop.ts (the JavaScript loop), in float32
// SIMD on the heap. Units must be a multiple of 4 (the kernel checks; the fused op pads others).
//
// Layouts (floats, row-major): xProj [B, T, u]; U [u, u]; mask [B, T] or null; out, flat:
// [B, T, u] h after each step in reading order, then the final h [B, u]. Records, when `record`
// is set, laid out like xProj: slopes [B, T, u] (1 - h_t^2) and hPrev [B, T, u] (for dU).

import { isMasked, tanh4 } from './gates';
import { at, copy, copyRows, transpose, zero } from './heap';
import { product } from './product';

// The forward loop, in the arguments every cell's module takes (lstm.ts; there is no c0, and no
// gate activation `kind`). h0 [B, u]; scratch: [B, u] pre-activations.
export function rnnForward(
  xProj: usize,
  u: usize,
  _uBias: usize,
  h0: usize,
  _c0: usize,
  mask: usize,
  out: usize,
  scratch: usize,
  batch: i32,
  timeSteps: i32,
  units: i32,
  goBackwards: i32,
  _kind: i32,
  record: i32,
  slopes: usize,
  hPrev: usize,
): void {
  const outStride = timeSteps * units;
  const z = scratch;
  const one = f32x4.splat(1);
  let h = h0;
  let hStride = units;
  for (let s = 0; s < timeSteps; s++) {
    const t = goBackwards ? timeSteps - 1 - s : s;
    // z = xProj[:, t] + h_{t-1} U   [B, u]
    product(
      z,
      units,
      at(xProj, t * units),
      outStride,
      h,
      hStride,
      1,
      u,
      units,
      batch,
      units,
      units,
    );
    for (let b = 0; b < batch; b++) {
      const hRow = at(h, b * hStride);
      const outRow = at(out, b * outStride + s * units);
      const row = (b * timeSteps + t) * units;
      if (isMasked(mask, timeSteps, b, t)) {
        copy(outRow, hRow, units); // h carried
        if (record) {
          zero(at(hPrev, row), units);
          zero(at(slopes, row), units);
        }
        continue;
      }
      for (let j = 0; j < units; j += 4) {
        const v = tanh4(v128.load(at(z, b * units + j)));
        if (record) {
          v128.store(at(hPrev, row + j), v128.load(at(hRow, j)));
          v128.store(at(slopes, row + j), f32x4.sub(one, f32x4.mul(v, v)));
        }
        v128.store(at(outRow, j), v);
      }
    }
    h = at(out, s * units);
    hStride = outStride;
  }
  const hFinal = at(out, batch * outStride);
  copyRows(hFinal, h, hStride, batch, units);
}

// The backward loop, from the last step to the first, in the arguments every cell's module
// takes. dy like `out`; dPre [B, T, u] like xProj (zero on skipped steps); dh [B, u]: carried
// through the loop, d h_0 at the end; scratch: U^T [u, u] (written here), then dh_{t-1} [B, u].
export function rnnBackward(
  dy: usize,
  u: usize,
  mask: usize,
  dPre: usize,
  _dRecurrent: usize,
  dh: usize,
  scratch: usize,
  batch: i32,
  timeSteps: i32,
  units: i32,
  goBackwards: i32,
  _kind: i32,
  slopes: usize,
  _hPrev: usize,
): void {
  const dyStride = timeSteps * units;
  const uT = scratch;
  const dhPrev = at(scratch, units * units);
  transpose(uT, u, units, units); // [u, G u] -> [G u, u]
  copy(dh, at(dy, batch * dyStride), batch * units); // the final h's gradient
  for (let s = timeSteps - 1; s >= 0; s--) {
    const t = goBackwards ? timeSteps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const dhRow = at(dh, b * units);
      const dyRow = at(dy, b * dyStride + s * units);
      const row = (b * timeSteps + t) * units;
      for (let j = 0; j < units; j += 4) {
        v128.store(at(dhRow, j), f32x4.add(v128.load(at(dhRow, j)), v128.load(at(dyRow, j))));
      }
      if (isMasked(mask, timeSteps, b, t)) {
        zero(at(dPre, row), units); // h passed through unchanged
        continue;
      }
      for (let j = 0; j < units; j += 4) {
        const d = f32x4.mul(v128.load(at(dhRow, j)), v128.load(at(slopes, row + j)));
        v128.store(at(dPre, row + j), d);
      }
    }
    // dh_{t-1} = dz U^T for the real rows; skipped rows keep dh.
    product(dhPrev, units, 0, 0, at(dPre, t * units), dyStride, 1, uT, units, batch, units, units);
    for (let b = 0; b < batch; b++) {
      if (!isMasked(mask, timeSteps, b, t)) copy(at(dh, b * units), at(dhPrev, b * units), units);
    }
  }
}
