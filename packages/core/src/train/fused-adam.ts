/**
 * TF.js's Adam optimizer with each variable's update as one `EncdecAdam` kernel (one pass over the
 * variable, its moments and its gradient) instead of TF.js's dozen element-wise kernels. The
 * arithmetic, its float32 rounding and order are TF.js's, so the trained weights are the same to
 * the bit; everything else is inherited: the class name 'Adam', `iterations`, `getWeights` /
 * `setWeights` (the saved optimizer state) and the `learningRate` field a schedule sets before
 * each step. On a backend without the kernel, the update is TF.js's own.
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdate, hasAdamKernel } from '../backend/kernels/adam.js';

/** The fields of TF.js's `AdamOptimizer` that its type keeps private. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/** The variables' gradients, by name or as a list of `{ name, tensor }`. */
type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (!hasAdamKernel()) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const listed = Array.isArray(variableGradients);
    const names = listed ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const hyper = {
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      learningRate: this.learningRate,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const x = tf.engine().registeredVariables[name]!;
        // The moments are created as TF.js does: by position, named after the variable.
        const moment = (suffix: string) => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(x).variable(false)),
        });
        state.accumulatedFirstMoment[i] ??= moment('m');
        state.accumulatedSecondMoment[i] ??= moment('v');
        const g = listed ? variableGradients[i]!.tensor : variableGradients[name];
        if (g == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const powers = { accBeta1: state.accBeta1, accBeta2: state.accBeta2 };
        const [xNext, mNext, vNext] = adamUpdate({ x, m, v, g }, powers, hyper);
        m.assign(mNext);
        v.assign(vNext);
        x.assign(xNext);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
