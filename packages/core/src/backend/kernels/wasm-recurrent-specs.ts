/**
 * What each cell's wasm loop kernels read and write (backend/kernels/wasm-recurrent.ts runs them,
 * wasm-recurrent-kernels.ts registers them): the kernel names, the module that holds the loop, the
 * gate blocks G and state tensors S of the cell, the shapes of the records the backward kernel
 * reads, and the scratch memory of each direction. B: batch, T: time steps, u: units.
 */
import { GRU_WASM } from './modules/gru-bytes.js';
import { LSTM_WASM } from './modules/lstm-bytes.js';
import { RNN_WASM } from './modules/rnn-bytes.js';

/** gru: TF.js's (reset gate before the recurrent product); gruResetAfter: Keras 2+'s, PyTorch's. */
export type RecurrentCell = 'lstm' | 'gru' | 'gruResetAfter' | 'rnn';

/** The gate activations the kernels implement, by their modules' code. */
export const GATE_KINDS = { sigmoid: 0, hardSigmoid: 1 } as const;
export type RecurrentGate = keyof typeof GATE_KINDS;

export interface RecurrentAttrs {
  goBackwards: boolean;
  gate: RecurrentGate;
  /** Also return the records the backward kernel needs. */
  record: boolean;
}

/** Sizes of one loop. */
export interface Dims {
  batch: number;
  timeSteps: number;
  units: number;
}

/**
 * A cell's module: `${cell}Forward` and `${cell}Backward`, all taking the same arguments
 * (addresses, 0 for an absent input; sizes and flags as numbers), the records last in the order
 * of `CellSpec.records`; a cell ignores what it has no use for (the GRU's and RNN's c0; uBias,
 * the recurrent bias, and dRecurrent, the gradient of h U + uBias, but for the reset-after GRU):
 *
 *   forward(xProj, u, uBias, h0, c0, mask, out, scratch, batch, timeSteps, units, goBackwards,
 *           kind, record, ...records)
 *   backward(dy, u, mask, dPre, dRecurrent, dStates, scratch, batch, timeSteps, units,
 *            goBackwards, kind, ...records)
 */
export type Module = Record<string, (...args: number[]) => void>;

export interface CellSpec {
  cell: RecurrentCell;
  forwardName: string;
  backwardName: string;
  module: string;
  /** Gate blocks G (the columns of xProj and U are G u; 1 for the RNN's single block). */
  gates: number;
  /** State tensors S: h, c for the LSTM; h for the GRU and the RNN. */
  states: number;
  /** The records' shapes, in the module's order, for `steps` recorded steps (0: none). */
  records(steps: number, d: Dims, hard: boolean): number[][];
  /** Floats of scratch memory for the forward and the backward loop. */
  scratch(d: Dims): { forward: number; backward: number };
  /** dU = records[record]^T dZ[:, columns], group by group in column order (dZ: see below). */
  recurrentInputs: Array<{ record: number; blocks: number }>;
  /** Whether backward also returns dRecurrent [B, T, G u] (then dZ), the reset-after GRU's. */
  dRecurrent: boolean;
}

export const SPECS: Record<RecurrentCell, CellSpec> = {
  lstm: {
    cell: 'lstm',
    forwardName: 'EncdecLstm',
    backwardName: 'EncdecLstmGrad',
    module: LSTM_WASM,
    gates: 4,
    states: 2,
    // gates [T, B, 4u], hPrev [B, T, u], cPrev and cTanh [T, B, u], slopes [T, B, 4u] (hardSigmoid)
    records: (steps, { batch, units }, hard) => [
      [steps, batch, 4 * units],
      [batch, steps, units],
      [steps, batch, units],
      [steps, batch, units],
      [hard ? steps : 0, batch, 4 * units],
    ],
    // forward: z [B, 4u]; backward: U^T [4u, u], then dh_{t-1} [B, u]
    scratch: ({ batch, units }) => ({
      forward: batch * 4 * units,
      backward: 4 * units * units + batch * units,
    }),
    recurrentInputs: [{ record: 1, blocks: 4 }],
    dRecurrent: false,
  },
  gru: {
    cell: 'gru',
    forwardName: 'EncdecGru',
    backwardName: 'EncdecGruGrad',
    module: GRU_WASM,
    gates: 3,
    states: 1,
    // gates [B, T, 3u], hPrev and resetPrev [B, T, u], slopes [B, T, 3u]
    records: (steps, { batch, units }) => [
      [batch, steps, 3 * units],
      [batch, steps, units],
      [batch, steps, units],
      [batch, steps, 3 * units],
    ],
    // forward: z [B, 3u] and r h [B, u]; backward: U^T [3u, u], then d(r h) and dh_{t-1} [B, u]
    scratch: ({ batch, units }) => ({
      forward: batch * 4 * units,
      backward: 3 * units * units + 2 * batch * units,
    }),
    recurrentInputs: [
      { record: 1, blocks: 2 },
      { record: 2, blocks: 1 },
    ],
    dRecurrent: false,
  },
  gruResetAfter: {
    cell: 'gruResetAfter',
    forwardName: 'EncdecGruResetAfter',
    backwardName: 'EncdecGruResetAfterGrad',
    module: GRU_WASM,
    gates: 3,
    states: 1,
    // gates [T, B, 3u], hPrev [B, T, u], mh [T, B, u], slopes [T, B, 2u] (hardSigmoid)
    records: (steps, { batch, units }, hard) => [
      [steps, batch, 3 * units],
      [batch, steps, units],
      [steps, batch, units],
      [hard ? steps : 0, batch, 2 * units],
    ],
    // forward: m [B, 3u]; backward: U^T [3u, u], then dh_{t-1} [B, u]
    scratch: ({ batch, units }) => ({
      forward: batch * 3 * units,
      backward: 3 * units * units + batch * units,
    }),
    recurrentInputs: [{ record: 1, blocks: 3 }],
    dRecurrent: true,
  },
  rnn: {
    cell: 'rnn',
    forwardName: 'EncdecRnn',
    backwardName: 'EncdecRnnGrad',
    module: RNN_WASM,
    gates: 1,
    states: 1,
    // slopes (1 - h_t^2) and hPrev, each [B, T, u]
    records: (steps, { batch, units }) => [
      [batch, steps, units],
      [batch, steps, units],
    ],
    // forward: z [B, u]; backward: U^T [u, u], then dh_{t-1} [B, u]
    scratch: ({ batch, units }) => ({
      forward: batch * units,
      backward: units * units + batch * units,
    }),
    recurrentInputs: [{ record: 1, blocks: 1 }],
    dRecurrent: false,
  },
};

/** Whether the kernels take a layer of `units` units (their SIMD lanes need multiples of 4). */
export function recurrentKernelFits(units: number): boolean {
  return units > 0 && units % 4 === 0;
}

/** The records passed to a backward kernel, as inputs r0, r1, ... */
export const recordNames = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);
