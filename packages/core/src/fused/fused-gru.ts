/**
 * `FusedGru`: tf.layers.gru with the whole sequence run as one fused op (see
 * fused-layer.ts), in either of the two GRUs Keras has had:
 *
 * - `resetAfter: true` (default): Keras 2+'s default and PyTorch's nn.GRU. The reset gate scales
 *   the recurrent product, hh = tanh(x W_h + b_h + r (h U_h + b_rh)), and the bias is [2, 3 units]:
 *   the input bias, then the recurrent bias (gru-reset-after-loop.ts).
 * - `resetAfter: false`: TF.js's only GRU (Keras 1's), hh = tanh(x W_h + b_h + (r h) U_h), one
 *   bias [3 units] (gru-loop.ts); weights, config and results as tf.layers.gru.
 *
 * Gates default to the logistic sigmoid (`recurrentActivation: 'sigmoid'`), as in Keras 2+ and
 * PyTorch; TF.js's own default is 'hardSigmoid', which stays available.
 */
import * as tf from '@tensorflow/tfjs';
import {
  fromConfigByConstructor,
  fusedOrStockCall,
  type RecurrentKwargs,
  stockRecurrentClass,
} from './fused-layer.js';
import { registeredClass } from './tfjs-internals.js';

export type FusedGruArgs = Parameters<typeof tf.layers.gru>[0] & {
  /** The reset gate after the recurrent product (Keras 2+, PyTorch). Default true. */
  resetAfter?: boolean;
};
type GruCell = ReturnType<typeof tf.layers.gruCell>;
type GruCellArgs = Parameters<typeof tf.layers.gruCell>[0];

const StockBase = stockRecurrentClass('GRU');
const StockCell = registeredClass('GRUCell') as unknown as new (args: GruCellArgs) => GruCell;

/**
 * The reset-after GRU cell: the stock cell (which refuses resetAfter) with Keras' bias [2, 3
 * units] and the reset-after step rule, op by op, for the settings the fused op leaves to the
 * stock call (stateful, recurrentDropout, other activations).
 */
class ResetAfterGruCell extends StockCell {
  constructor(args: GruCellArgs) {
    super({ ...args, resetAfter: false });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1]!;
    const width = 3 * this.units;
    this.kernel = this.addWeight(
      'kernel',
      [inputDim, width],
      undefined,
      this.kernelInitializer,
      this.kernelRegularizer,
      true,
      this.kernelConstraint,
    );
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, width],
      undefined,
      this.recurrentInitializer,
      this.recurrentRegularizer,
      true,
      this.recurrentConstraint,
    );
    if (this.useBias) {
      this.bias = this.addWeight(
        'bias',
        [2, width], // [input bias; recurrent bias], Keras' layout
        undefined,
        this.biasInitializer,
        this.biasRegularizer,
        true,
        this.biasConstraint,
      );
    } else {
      (this as { bias: tf.LayerVariable | null }).bias = null; // as the stock cells have it
    }
    this.built = true;
  }

  /** One step: [x_t, h_{t-1}] -> [h_t, h_t] (gru-reset-after-loop.ts has the rule). */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor[] {
    return tf.tidy(() => {
      let [x, hPrev] = inputs as [tf.Tensor2D, tf.Tensor2D];
      if (kwargs.training === true) {
        // One mask per sequence for the inputs and one for h, kept where the stock cells keep
        // theirs (the stock GRU layer frees them at its next call).
        const masks = this as unknown as Record<
          'dropoutMask' | 'recurrentDropoutMask',
          tf.Tensor[] | null
        >;
        if (this.dropout > 0 && this.dropout < 1) {
          masks.dropoutMask ??= [tf.keep(tf.dropout(tf.onesLike(x), this.dropout))];
          x = tf.mul(x, masks.dropoutMask[0]!);
        }
        if (this.recurrentDropout > 0 && this.recurrentDropout < 1) {
          masks.recurrentDropoutMask ??= [
            tf.keep(tf.dropout(tf.onesLike(hPrev), this.recurrentDropout)),
          ];
          hPrev = tf.mul(hPrev, masks.recurrentDropoutMask[0]!);
        }
      }
      let xProj: tf.Tensor = tf.matMul(x, this.kernel.read() as tf.Tensor2D); // [batch, 3 units]
      let m: tf.Tensor = tf.matMul(hPrev, this.recurrentKernel.read() as tf.Tensor2D); // [batch, 3 units]
      if (this.useBias) {
        const [inputBias, recurrentBias] = tf.unstack(this.bias.read()); // [2, 3 units] -> 2 x [3 units]
        xProj = tf.add(xProj, inputBias!);
        m = tf.add(m, recurrentBias!);
      }
      const [xZ, xR, xH] = tf.split(xProj, 3, 1); // 3 x [batch, units]
      const [mZ, mR, mH] = tf.split(m, 3, 1);
      const z = this.recurrentActivation.apply(tf.add(xZ!, mZ!));
      const r = this.recurrentActivation.apply(tf.add(xR!, mR!));
      const hh = this.activation.apply(tf.add(xH!, tf.mul(r, mH!)));
      const h = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), hh));
      return [h, h];
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), resetAfter: true };
  }
}

export class FusedGru extends StockBase {
  /** Prefixed: TF.js looks layer classes up by this bare name when it loads a model. */
  static readonly className = 'EncdecFusedGru';
  /** Whether the reset gate comes after the recurrent product (Keras 2+, PyTorch). */
  readonly resetAfter: boolean;

  constructor(args: FusedGruArgs) {
    const resetAfter = args.resetAfter ?? true;
    const withDefaults = { ...args, recurrentActivation: args.recurrentActivation ?? 'sigmoid' };
    super({ ...withDefaults, resetAfter: false }); // the stock GRU refuses resetAfter: true
    this.resetAfter = resetAfter;
    // The RNN keeps its cell in a read-only field that only the constructor sets.
    if (resetAfter) (this as { cell: unknown }).cell = new ResetAfterGruCell(withDefaults);
  }

  /**
   * The config is the constructor's argument, as for the stock classes. Configs that TF.js's GRU
   * or a reset-before FusedGru wrote say `resetAfter: false`; one without it is Keras 2+'s default.
   */
  static fromConfig = fromConfigByConstructor;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: RecurrentKwargs): tf.Tensor | tf.Tensor[] {
    const kind = this.resetAfter ? 'gruResetAfter' : 'gru';
    return fusedOrStockCall(this, kind, inputs, kwargs, () => super.call(inputs, kwargs));
  }
}
tf.serialization.registerClass(FusedGru);

/** A GRU layer, fused (see the file comment for its defaults). */
export function fusedGru(args: FusedGruArgs): tf.RNN {
  return new FusedGru(args);
}
