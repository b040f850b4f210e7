// AssemblyScript source of the wasm kernels `EncdecLstm` and `EncdecLstmGrad`
// (src/backend/kernels/wasm-recurrent-kernels.ts), compiled by `npm run build:wasm` into
// src/backend/kernels/modules/lstm-bytes.ts. Like row-stats.ts it runs on TF.js's wasm
// memory, on pointers the kernel passes, and has no data of its own.
//
// The loop over time of an LSTM, forward and backward, with the update rule and records of
// src/fused/lstm-loop.ts (the JavaScript loop, which documents the equations), but in
// float32 SIMD on the heap: each step's product h_{t-1} U in 4 x 8 register tiles (product.ts),
// then the gates four units at a time. Units must be a multiple of 4 (the kernel checks).
//
// Layouts (floats, row-major): xProj [B, T, 4u]; U [u, 4u]; mask [B, T] (0: a skipped step) or
// null; out, flat: [B, T, u] h after each step in reading order, then the final h [B, u] and the
// final c [B, u] (contiguous parts, which the caller slices apart by copies). Records,
// when `record` is set: gates [T, B, 4u] (i f g o), slopes [T, B, 4u] (hardSigmoid only: a'(z) of
// i f and o), hPrev [B, T, u] (laid out like xProj, for dU = hPrev^T dZ), cPrev and cTanh
// [T, B, u]. Step s reads time t = s, or T - 1 - s going backwards.

import { gate4, HARD_SIGMOID, hardSlope4, isMasked, tanh4 } from './gates';
import { at, copy, copyRows, transpose, zero } from './heap';
import { product } from './product';

// The forward loop, in the arguments every cell's module takes (records last, in the order of
// src/backend/kernels/wasm-recurrent-specs.ts). h0, c0 [B, u]; z: scratch [B, 4u]; the records are
// written only when `record` is non-zero (slopes only for hardSigmoid).
export function lstmForward(
  xProj: usize,
  u: usize,
  _uBias: usize,
  h0: usize,
  c0: usize,
  mask: usize,
  out: usize,
  z: usize,
  batch: i32,
  timeSteps: i32,
  units: i32,
  goBackwards: i32,
  kind: i32,
  record: i32,
  gates: usize,
  hPrev: usize,
  cPrev: usize,
  cTanh: usize,
  slopes: usize,
): void {
  const width = 4 * units;
  const outStride = timeSteps * units; // one batch row of the outputs
  const hFinal = at(out, batch * outStride);
  const cState = at(hFinal, batch * units); // c lives in the final c's place
  const hard = kind === HARD_SIGMOID;
  copy(cState, c0, batch * units);
  let h = h0; // h_{t-1}: the initial state, then the previous step's outputs
  let hStride = units;
  for (let s = 0; s < timeSteps; s++) {
    const t = goBackwards ? timeSteps - 1 - s : s;
    // z = xProj[:, t] + h_{t-1} U   [B, 4u]
    product(
      z,
      width,
      at(xProj, t * width),
      timeSteps * width,
      h,
      hStride,
      1,
      u,
      width,
      batch,
      units,
      width,
    );
    for (let b = 0; b < batch; b++) {
      const hRow = at(h, b * hStride);
      const outRow = at(out, b * outStride + s * units);
      const cRow = at(cState, b * units);
      const rec = (s * batch + b) * width; // step-major record of this row
      const recU = (s * batch + b) * units;
      if (isMasked(mask, timeSteps, b, t)) {
        copy(outRow, hRow, units); // h and c carried
        if (record) {
          // Zeros, as the JavaScript loop leaves them: the backward pass skips these steps.
          zero(at(hPrev, (b * timeSteps + t) * units), units);
          zero(at(gates, rec), width);
          zero(at(cPrev, recU), units);
          zero(at(cTanh, recU), units);
          if (hard) zero(at(slopes, rec), width);
        }
        continue;
      }
      const zRow = at(z, b * width);
      for (let j = 0; j < units; j += 4) {
        const zi = v128.load(at(zRow, j));
        const zf = v128.load(at(zRow, units + j));
        const zg = v128.load(at(zRow, 2 * units + j));
        const zo = v128.load(at(zRow, 3 * units + j));
        const i = gate4(zi, kind);
        const f = gate4(zf, kind);
        const g = tanh4(zg);
        const o = gate4(zo, kind);
        const pc = at(cRow, j);
        const cp = v128.load(pc);
        const cNew = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, g));
        const tc = tanh4(cNew);
        if (record) {
          v128.store(at(hPrev, (b * timeSteps + t) * units + j), v128.load(at(hRow, j)));
          v128.store(at(cPrev, recU + j), cp);
          v128.store(at(cTanh, recU + j), tc);
          v128.store(at(gates, rec + j), i);
          v128.store(at(gates, rec + units + j), f);
          v128.store(at(gates, rec + 2 * units + j), g);
          v128.store(at(gates, rec + 3 * units + j), o);
          if (hard) {
            v128.store(at(slopes, rec + j), hardSlope4(zi));
            v128.store(at(slopes, rec + units + j), hardSlope4(zf));
            v128.store(at(slopes, rec + 2 * units + j), f32x4.splat(0)); // tanh's: unused
            v128.store(at(slopes, rec + 3 * units + j), hardSlope4(zo));
          }
        }
        v128.store(pc, cNew);
        v128.store(at(outRow, j), f32x4.mul(o, tc));
      }
    }
    h = at(out, s * units);
    hStride = outStride;
  }
  copyRows(hFinal, h, hStride, batch, units);
}

// The backward loop, from the last step to the first, in the arguments every cell's module
// takes. dy like `out`; dPre [B, T, 4u] like xProj (zero on skipped steps); dStates [2, B, u]:
// dh and dc, carried through the loop and holding d h_0 and d c_0 at the end; scratch: U^T
// [4u, u] (written here), then dh_{t-1} [B, u]. hPrev is not read.
export function lstmBackward(
  dy: usize,
  u: usize,
  mask: usize,
  dPre: usize,
  _dRecurrent: usize,
  dStates: usize,
  scratch: usize,
  batch: i32,
  timeSteps: i32,
  units: i32,
  goBackwards: i32,
  kind: i32,
  gates: usize,
  _hPrev: usize,
  cPrev: usize,
  cTanh: usize,
  slopes: usize,
): void {
  const width = 4 * units;
  const uT = scratch;
  const dhPrev = at(scratch, width * units);
  const dyStride = timeSteps * units;
  const hard = kind === HARD_SIGMOID;
  transpose(uT, u, units, width); // [u, G u] -> [G u, u]
  const dh = dStates;
  const dc = at(dStates, batch * units);
  copy(dStates, at(dy, batch * dyStride), 2 * batch * units); // the final h's and c's gradients
  const one = f32x4.splat(1);
  for (let s = timeSteps - 1; s >= 0; s--) {
    const t = goBackwards ? timeSteps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const dhRow = at(dh, b * units);
      const dcRow = at(dc, b * units);
      const dyRow = at(dy, b * dyStride + s * units);
      const dz = at(dPre, (b * timeSteps + t) * width);
      for (let j = 0; j < units; j += 4) {
        v128.store(at(dhRow, j), f32x4.add(v128.load(at(dhRow, j)), v128.load(at(dyRow, j))));
      }
      if (isMasked(mask, timeSteps, b, t)) {
        zero(dz, width); // h and c passed through unchanged
        continue;
      }
      const rec = (s * batch + b) * width;
      const recU = (s * batch + b) * units;
      for (let j = 0; j < units; j += 4) {
        const i = v128.load(at(gates, rec + j));
        const f = v128.load(at(gates, rec + units + j));
        const g = v128.load(at(gates, rec + 2 * units + j));
        const o = v128.load(at(gates, rec + 3 * units + j));
        const si = hard ? v128.load(at(slopes, rec + j)) : f32x4.mul(i, f32x4.sub(one, i));
        const sf = hard ? v128.load(at(slopes, rec + units + j)) : f32x4.mul(f, f32x4.sub(one, f));
        const so = hard
          ? v128.load(at(slopes, rec + 3 * units + j))
          : f32x4.mul(o, f32x4.sub(one, o));
        const cp = v128.load(at(cPrev, recU + j));
        const tc = v128.load(at(cTanh, recU + j));
        const dhj = v128.load(at(dhRow, j));
        const dcj = f32x4.add(
          v128.load(at(dcRow, j)),
          f32x4.mul(f32x4.mul(dhj, o), f32x4.sub(one, f32x4.mul(tc, tc))),
        );
        v128.store(at(dz, j), f32x4.mul(f32x4.mul(dcj, g), si));
        v128.store(at(dz, units + j), f32x4.mul(f32x4.mul(dcj, cp), sf));
        v128.store(
          at(dz, 2 * units + j),
          f32x4.mul(f32x4.mul(dcj, i), f32x4.sub(one, f32x4.mul(g, g))),
        );
        v128.store(at(dz, 3 * units + j), f32x4.mul(f32x4.mul(dhj, tc), so));
        v128.store(at(dcRow, j), f32x4.mul(dcj, f));
      }
    }
    // dh_{t-1} = dz U^T for the real rows; skipped rows keep dh.
    product(
      dhPrev,
      units,
      0,
      0,
      at(dPre, t * width),
      timeSteps * width,
      1,
      uT,
      units,
      batch,
      width,
      units,
    );
    for (let b = 0; b < batch; b++) {
      if (!isMasked(mask, timeSteps, b, t)) copy(at(dh, b * units), at(dhPrev, b * units), units);
    }
  }
}
