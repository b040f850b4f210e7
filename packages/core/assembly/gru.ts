// AssemblyScript source of the wasm kernels `EncdecGru` and `EncdecGruGrad`
// (src/backend/kernels/wasm-recurrent-kernels.ts), compiled by `npm run build:wasm` into
// src/backend/kernels/modules/gru-bytes.ts. Like lstm.ts it runs on TF.js's wasm memory, on pointers the
// kernel passes, and has no data of its own.
//
// The loop over time of a GRU (TF.js's: the reset gate applied before the recurrent product),
// forward and backward, with the update rule and records of src/fused/gru-loop.ts (the
// JavaScript loop, which documents the equations), in float32 SIMD on the heap: each step's
// products in 4 x 8 register tiles (product.ts), the gates four units at a time. Units must be a
// multiple of 4 (the kernel checks).
//
// Layouts (floats, row-major): xProj [B, T, 3u] (z r h); U [u, 3u]; mask [B, T] or null; out,
// flat: [B, T, u] h after each step in reading order, then the final h [B, u]. Records, when
// `record` is set, laid out like xProj: gates [B, T, 3u] (z r hh), slopes [B, T, 3u] (a'(z_z),
// a'(z_r), 1 - hh^2), hPrev and resetPrev [B, T, u] (h_{t-1} and r h_{t-1}, for dU).

import { gate4, HARD_SIGMOID, hardSlope4, isMasked, tanh4 } from './gates';

// The reset-after GRU's loop, in this module too.
export { gruResetAfterBackward, gruResetAfterForward } from './gru-reset-after';

import { at, copy, copyRows, transpose, zero } from './heap';
import { product } from './product';

// The forward loop, in the arguments every cell's module takes (lstm.ts; there is no c0). h0
// [B, u]; scratch: [B, 3u] pre-activations, then [B, u] for r h_{t-1}.
export function gruForward(
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
  kind: i32,
  record: i32,
  gates: usize,
  hPrev: usize,
  resetPrev: usize,
  slopes: usize,
): void {
  const width = 3 * units;
  const outStride = timeSteps * units;
  const z = scratch;
  const reset = at(scratch, batch * width);
  const hard = kind === HARD_SIGMOID;
  const one = f32x4.splat(1);
  let h = h0;
  let hStride = units;
  for (let s = 0; s < timeSteps; s++) {
    const t = goBackwards ? timeSteps - 1 - s : s;
    const xt = at(xProj, t * width);
    // [z_z z_r] = [x_z x_r] + h_{t-1} [U_z U_r]   [B, 2u]
    product(z, width, xt, timeSteps * width, h, hStride, 1, u, width, batch, units, 2 * units);
    // The two gates (their values replace the pre-activations) and r h_{t-1}.
    for (let b = 0; b < batch; b++) {
      const zRow = at(z, b * width);
      const hRow = at(h, b * hStride);
      const rec = (b * timeSteps + t) * width;
      for (let j = 0; j < 2 * units; j += 4) {
        const pre = v128.load(at(zRow, j));
        const v = gate4(pre, kind);
        v128.store(at(zRow, j), v);
        if (record) {
          const slope = hard ? hardSlope4(pre) : f32x4.mul(v, f32x4.sub(one, v));
          v128.store(at(slopes, rec + j), slope);
        }
      }
      for (let j = 0; j < units; j += 4) {
        const r = v128.load(at(zRow, units + j));
        v128.store(at(reset, b * units + j), f32x4.mul(r, v128.load(at(hRow, j))));
      }
    }
    // z_h = x_h + (r h_{t-1}) U_h   [B, u]
    const zh = at(z, 2 * units);
    product(
      zh,
      width,
      at(xt, 2 * units),
      timeSteps * width,
      reset,
      units,
      1,
      at(u, 2 * units),
      width,
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
          // Zeros, as the JavaScript loop leaves them (but the slopes of z and r, written above):
          // the backward pass skips these steps.
          const rec = (b * timeSteps + t) * width;
          zero(at(hPrev, row), units);
          zero(at(resetPrev, row), units);
          zero(at(gates, rec), width);
          zero(at(slopes, rec + 2 * units), units);
        }
        continue;
      }
      const zRow = at(z, b * width);
      const rec = (b * timeSteps + t) * width;
      for (let j = 0; j < units; j += 4) {
        const zg = v128.load(at(zRow, j));
        const hh = tanh4(v128.load(at(zRow, 2 * units + j)));
        const hp = v128.load(at(hRow, j));
        if (record) {
          v128.store(at(hPrev, row + j), hp);
          v128.store(at(resetPrev, row + j), v128.load(at(reset, b * units + j)));
          v128.store(at(gates, rec + j), zg);
          v128.store(at(gates, rec + units + j), v128.load(at(zRow, units + j)));
          v128.store(at(gates, rec + 2 * units + j), hh);
          v128.store(at(slopes, rec + 2 * units + j), f32x4.sub(one, f32x4.mul(hh, hh)));
        }
        // h_t = z h_{t-1} + (1 - z) hh
        v128.store(at(outRow, j), f32x4.add(f32x4.mul(zg, hp), f32x4.mul(f32x4.sub(one, zg), hh)));
      }
    }
    h = at(out, s * units);
    hStride = outStride;
  }
  const hFinal = at(out, batch * outStride);
  copyRows(hFinal, h, hStride, batch, units);
}

// The backward loop, from the last step to the first, in the arguments every cell's module
// takes (the gate's slopes are recorded: `kind` is not read, nor resetPrev). dy like `out`; dPre
// [B, T, 3u] like xProj (zero on skipped steps); dh [B, u]: carried through the loop, d h_0 at
// the end; scratch: U^T [3u, u] (written here), then d(r h) and dh_{t-1}, [B, u] each.
export function gruBackward(
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
  gates: usize,
  hPrev: usize,
  _resetPrev: usize,
  slopes: usize,
): void {
  const width = 3 * units;
  const dyStride = timeSteps * units;
  const uT = scratch;
  const dReset = at(scratch, width * units);
  const dhPrev = at(dReset, batch * units);
  transpose(uT, u, units, width); // [u, G u] -> [G u, u]
  copy(dh, at(dy, batch * dyStride), batch * units); // the final h's gradient
  const one = f32x4.splat(1);
  for (let s = timeSteps - 1; s >= 0; s--) {
    const t = goBackwards ? timeSteps - 1 - s : s;
    // dz_z and dz_h of every row (zero on skipped steps).
    for (let b = 0; b < batch; b++) {
      const dhRow = at(dh, b * units);
      const dyRow = at(dy, b * dyStride + s * units);
      const dz = at(dPre, (b * timeSteps + t) * width);
      for (let j = 0; j < units; j += 4) {
        v128.store(at(dhRow, j), f32x4.add(v128.load(at(dhRow, j)), v128.load(at(dyRow, j))));
      }
      if (isMasked(mask, timeSteps, b, t)) {
        zero(dz, width); // h passed through unchanged
        continue;
      }
      const rec = (b * timeSteps + t) * width;
      const row = (b * timeSteps + t) * units;
      for (let j = 0; j < units; j += 4) {
        const dhj = v128.load(at(dhRow, j));
        const zg = v128.load(at(gates, rec + j));
        const hh = v128.load(at(gates, rec + 2 * units + j));
        const hp = v128.load(at(hPrev, row + j));
        const dzz = f32x4.mul(f32x4.mul(dhj, f32x4.sub(hp, hh)), v128.load(at(slopes, rec + j)));
        const dzh = f32x4.mul(
          f32x4.mul(dhj, f32x4.sub(one, zg)),
          v128.load(at(slopes, rec + 2 * units + j)),
        );
        v128.store(at(dz, j), dzz);
        v128.store(at(dz, 2 * units + j), dzh);
      }
    }
    // d(r h) = dz_h U_h^T   [B, u]
    const dPreT = at(dPre, t * width);
    product(
      dReset,
      units,
      0,
      0,
      at(dPreT, 2 * units),
      timeSteps * width,
      1,
      at(uT, 2 * units * units),
      units,
      batch,
      units,
      units,
    );
    // dz_r = d(r h) h_{t-1} a'(z_r)
    for (let b = 0; b < batch; b++) {
      if (isMasked(mask, timeSteps, b, t)) continue;
      const rec = (b * timeSteps + t) * width;
      const row = (b * timeSteps + t) * units;
      const dz = at(dPre, rec);
      for (let j = 0; j < units; j += 4) {
        const dr = f32x4.mul(v128.load(at(dReset, b * units + j)), v128.load(at(hPrev, row + j)));
        v128.store(at(dz, units + j), f32x4.mul(dr, v128.load(at(slopes, rec + units + j))));
      }
    }
    // dh_{t-1} = dh z + d(r h) r + [dz_z dz_r] [U_z U_r]^T for the real rows
    product(dhPrev, units, 0, 0, dPreT, timeSteps * width, 1, uT, units, batch, 2 * units, units);
    for (let b = 0; b < batch; b++) {
      if (isMasked(mask, timeSteps, b, t)) continue;
      const rec = (b * timeSteps + t) * width;
      const dhRow = at(dh, b * units);
      for (let j = 0; j < units; j += 4) {
        const viaGate = f32x4.mul(v128.load(at(dhRow, j)), v128.load(at(gates, rec + j)));
        const viaReset = f32x4.mul(
          v128.load(at(dReset, b * units + j)),
          v128.load(at(gates, rec + units + j)),
        );
        const viaU = v128.load(at(dhPrev, b * units + j));
        v128.store(at(dhRow, j), f32x4.add(f32x4.add(viaU, viaGate), viaReset));
      }
    }
  }
}
