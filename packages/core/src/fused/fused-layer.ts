/**
 * What the fused recurrent layers (fused-lstm.ts, fused-gru.ts, fused-simple-rnn.ts) share: each
 * is TF.js's stock layer class (LSTM, GRU, SimpleRNN) with its `call` replaced by one
 * `fusedRecurrent` op (fused-op.ts). Everything else is the stock layer's: arguments,
 * `build` (so weights have the stock names and layout: kernel [inputDim, G * units],
 * recurrent_kernel [units, G * units], bias [G * units]), config, output shapes and masks, and
 * the Bidirectional wrapper, which clones the layer through its registered class name. Two
 * defaults differ, to compute what Keras 2+ and PyTorch compute: gates are the logistic sigmoid
 * (TF.js: hardSigmoid), and the GRU applies its reset gate after the recurrent product, with
 * Keras' bias [2, 3 units] (TF.js has only the reset-before GRU; fused-gru.ts).
 *
 * Settings the fused op does not implement (stateful, recurrentDropout, a custom dropoutFunc, an
 * activation other than tanh, a gate activation other than sigmoid or hardSigmoid) fall back to
 * the stock `call`, so every stock configuration still works.
 *
 * Dropout is the stock layers': one mask per sequence on the inputs, the same at every step
 * (Gal & Ghahramani 2016), scaled by 1 / (1 - rate).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import { withoutWarningsSync } from '../quiet-warnings.js';
import { type FusedCell, fusedRecurrent } from './fused-op.js';
import type { GateActivation } from './loop-types.js';
import { registeredClass } from './tfjs-internals.js';

/**
 * The stock layer class registered under `className` (TF.js does not export these classes), with
 * its `build` quiet about small orthogonal initializers (see `quietOrthogonal`).
 */
export function stockRecurrentClass(className: 'LSTM' | 'GRU' | 'SimpleRNN'): RnnClass {
  const Stock = registeredClass(className) as unknown as RnnClass;
  return class extends Stock {
    override build(inputShape: tf.Shape | tf.Shape[]): void {
      quietOrthogonal(() => super.build(inputShape));
    }
  };
}

/** Matrices up to this many elements are orthogonalized without a warning. */
const QUIET_ORTHOGONAL = 65_536;

/**
 * Runs `build` without TF.js's "Orthogonal initializer is being called on a matrix with more
 * than 2000 (N) elements: Slowness may result." for N up to 65,536: the recurrent kernel of an
 * LSTM with 32 units already has 4,096, and its QR takes milliseconds, so the warning only
 * cluttered every notebook that builds a model. Larger matrices still warn.
 */
export function quietOrthogonal(build: () => void): void {
  const pattern =
    /^Orthogonal initializer is being called on a matrix with more than 2000 \((\d+)\)/;
  withoutWarningsSync(
    (text) => Number(pattern.exec(text)?.[1] ?? Infinity) <= QUIET_ORTHOGONAL,
    build,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: a mixin's base constructor must take any[] (TS2545).
export type RnnClass = new (...args: any[]) => tf.RNN;

/** The parts of a stock cell the fused call reads (TF.js keeps them public but untyped). */
interface CellInternals {
  kernel: tf.LayerVariable;
  recurrentKernel: tf.LayerVariable;
  /** [G * units]; the reset-after GRU's is [2, G * units]. */
  bias: tf.LayerVariable | null;
  dropout: number;
  recurrentDropout: number;
  dropoutFunc?: unknown;
  activation: { getClassName(): string };
  recurrentActivation?: { getClassName(): string };
}

export interface RecurrentKwargs {
  mask?: tf.Tensor | null;
  training?: boolean | null;
  initialState?: tf.Tensor[] | null;
}

/**
 * A fused layer's `call`: the fused op when it implements the layer's settings, else `stock`
 * (the stock class's `call`).
 */
export function fusedOrStockCall(
  layer: tf.RNN,
  kind: FusedCell,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: RecurrentKwargs,
  stock: () => tf.Tensor | tf.Tensor[],
): tf.Tensor | tf.Tensor[] {
  const internals = layer.cell as unknown as CellInternals;
  const gate = fusableGate(layer, internals, kind);
  if (gate === null) return stock();
  return fusedCall(layer, internals, kind, gate, inputs, kwargs);
}

/** As the stock classes do: the config is the constructor's argument. */
export function fromConfigByConstructor<T extends tf.serialization.Serializable>(
  cls: tf.serialization.SerializableConstructor<T>,
  config: tf.serialization.ConfigDict,
): T {
  return new cls(config);
}

/** The gate activation when the fused op can run this layer, else null (stock call). */
function fusableGate(layer: tf.RNN, cell: CellInternals, kind: FusedCell): GateActivation | null {
  if (layer.stateful || cell.recurrentDropout > 0 || cell.dropoutFunc != null) return null;
  if (cell.activation.getClassName() !== 'tanh') return null;
  if (kind === 'rnn') return 'sigmoid';
  const gate = cell.recurrentActivation?.getClassName();
  return gate === 'sigmoid' || gate === 'hardSigmoid' ? gate : null;
}

/**
 * An initial state as [batch, units]: as given, or broadcast there from a broadcastable shape
 * ([1, units], as the stock layers' step arithmetic broadcasts it; the gradient sums back).
 */
function batchState(state: tf.Tensor, batch: number, units: number, layer: string): tf.Tensor2D {
  const shape: [number, number] = [batch, units];
  if (state.shape.length === 2 && state.shape[0] === batch && state.shape[1] === units) {
    return state as tf.Tensor2D;
  }
  try {
    return tf.broadcastTo(state, shape) as tf.Tensor2D; // [batch, units]
  } catch {
    throw invalidArgument(
      'initialState',
      state.shape,
      `[batch, units] = ${JSON.stringify(shape)} (or broadcastable to it) for layer "${layer}"`,
    );
  }
}

function fusedCall(
  layer: tf.RNN,
  cell: CellInternals,
  kind: FusedCell,
  gate: GateActivation,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: RecurrentKwargs,
): tf.Tensor | tf.Tensor[] {
  return tf.tidy(() => {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    let x = list[0] as tf.Tensor3D; // [batch, timeSteps, inputDim]
    const [batchSize, , inputDim] = x.shape;
    const units = cell.recurrentKernel.shape[0]!;
    const stateCount = kind === 'lstm' ? 2 : 1;
    const given = kwargs?.initialState ?? (list.length > 1 ? list.slice(1) : null);
    const initialStates = (given ?? Array.from({ length: stateCount }, () => null)).map((s) =>
      s === null || s === undefined
        ? (tf.zeros([batchSize, units]) as tf.Tensor2D)
        : batchState(s, batchSize, units, layer.name),
    );
    if (initialStates.length !== stateCount) {
      throw invalidArgument(
        'initialState',
        `${initialStates.length} tensors`,
        `${stateCount === 2 ? '2 tensors [h, c]' : '1 tensor [h]'} for layer "${layer.name}"`,
      );
    }
    if (kwargs?.training === true && cell.dropout > 0 && cell.dropout < 1) {
      // One mask per sequence, broadcast over time: [batch, 1, inputDim]
      const keep = tf.dropout(tf.ones([batchSize, 1, inputDim]), cell.dropout);
      x = tf.mul(x, keep);
    }
    const { outputs, states } = fusedRecurrent({
      cell: kind,
      x,
      initialStates,
      kernel: cell.kernel.read() as tf.Tensor2D,
      recurrentKernel: cell.recurrentKernel.read() as tf.Tensor2D,
      bias: cell.bias === null ? null : (cell.bias.read() as tf.Tensor1D | tf.Tensor2D),
      mask: kwargs?.mask ?? null,
      goBackwards: layer.goBackwards,
      gate,
    });
    // Without returnSequences the output is the last h, the first state (a new handle on it).
    const output = layer.returnSequences ? outputs : tf.clone(states[0]!);
    return layer.returnState ? [output, ...states] : output;
  });
}
